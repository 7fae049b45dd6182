package tone

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token kinds. A placeholder stands for a masked template action: its value
// is unknown, so it matches only the * and # pattern atoms and is never
// counted as shouting.
const (
	tokWord uint8 = iota
	tokSymbol
	tokPlaceholder
)

// token is one word (or currency/percent sign, or masked action) of the
// checked text. Offsets are int32 to keep the scratch slice small.
type token struct {
	start, end int32 // bytes in the checked text
	lo, hi     int32 // bytes in the scratch's lower-cased buffer
	letters    int32
	upper      int32
	kind       uint8
	brk        bool // a sentence ends between the previous token and this one
	branch     bool // a template's {{else}} lies between the previous token and this one
	num        bool // a number: 2, 40th, 2am, "two"
	personal   bool // inside a value substituted from customer data
}

// span is a byte range [start, end) of the checked text.
type span struct{ start, end int }

// hole is a masked template action; value actions print something (they
// become a placeholder token), control actions ({{if}}, {{end}}…) print nothing.
type hole struct {
	span
	value  bool
	branch bool // {{else}}: the text before and after it is never shown together
}

// numberWords are the spelled-out numbers the # atom matches, so "only two
// left" is caught like "only 2 left".
var numberWords = map[string]bool{
	"zero": true, "one": true, "two": true, "three": true, "four": true, "five": true,
	"six": true, "seven": true, "eight": true, "nine": true, "ten": true, "eleven": true,
	"twelve": true, "fifteen": true, "twenty": true, "thirty": true, "forty": true,
	"fifty": true, "sixty": true, "seventy": true, "eighty": true, "ninety": true,
	"hundred": true, "dozen": true,
}

// isWordRune reports whether r belongs inside a word. Marks are included so
// a decomposed "é" (e + U+0301) stays one word.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

// isSymbolRune reports whether r is a one-rune token patterns may name.
func isSymbolRune(r rune) bool {
	switch r {
	case '%', '£', '$', '€':
		return true
	}
	return false
}

// tokenize splits text into tokens, appending to toks and writing the
// lower-cased words to low. Apostrophes inside a word are kept (and
// normalised to '), so "don’t" is one word equal to "don't"; a hyphen
// separates words; '.', '!' and '?' and blank lines end a sentence.
func tokenize(text string, holes []hole, toks []token, low []byte) ([]token, []byte) {
	brk, branch := false, false
	newlines := 0
	h := 0
	i := 0
	for i < len(text) {
		if h < len(holes) && i >= holes[h].start {
			if holes[h].branch {
				// Two branches of an {{if}} are alternatives: no sentence,
				// pattern or pair of sentences runs from one into the other.
				brk, branch = true, true
			}
			if holes[h].value {
				toks = append(toks, token{
					start: int32(holes[h].start), end: int32(holes[h].end),
					lo: int32(len(low)), hi: int32(len(low)),
					kind: tokPlaceholder, brk: brk, branch: branch,
				})
				brk, branch, newlines = false, false, 0
			}
			i = holes[h].end
			h++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case isWordRune(r):
			end := wordEnd(text, i, holesStart(holes, h))
			t := token{start: int32(i), end: int32(end), lo: int32(len(low)), brk: brk, branch: branch}
			t.num = '0' <= text[i] && text[i] <= '9' || text[i] >= utf8.RuneSelf && unicode.IsDigit(r)
			for _, wr := range text[i:end] {
				if wr < utf8.RuneSelf { // the common case, without the tables
					switch {
					case 'a' <= wr && wr <= 'z':
						t.letters++
					case 'A' <= wr && wr <= 'Z':
						t.letters++
						t.upper++
						wr += 'a' - 'A'
					}
					low = append(low, byte(wr))
					continue
				}
				if isApostrophe(wr) {
					low = append(low, '\'')
					continue
				}
				// Only letters that have case count: "STRAßE" is all capitals
				// (ß has no capital in common use), and caseless scripts
				// neither shout nor dilute shouting.
				switch {
				case unicode.IsUpper(wr):
					t.letters++
					t.upper++
				case unicode.IsLetter(wr) && unicode.ToUpper(wr) != wr:
					t.letters++
				}
				low = utf8.AppendRune(low, unicode.ToLower(wr))
			}
			t.hi = int32(len(low))
			if !t.num && numberWords[string(low[t.lo:t.hi])] {
				t.num = true
			}
			toks = append(toks, t)
			brk, branch, newlines = false, false, 0
			i = end
			continue
		case isSymbolRune(r):
			lo := len(low)
			low = utf8.AppendRune(low, r)
			toks = append(toks, token{start: int32(i), end: int32(i + size), lo: int32(lo), hi: int32(len(low)), kind: tokSymbol, brk: brk, branch: branch})
			brk, branch, newlines = false, false, 0
		case r == '.' || r == '!' || r == '?' || r == '…':
			brk = true
		case r == '\n':
			newlines++
			if newlines >= 2 {
				brk = true
			}
		}
		i += size
	}
	return toks, low
}

func holesStart(holes []hole, h int) int {
	if h < len(holes) {
		return holes[h].start
	}
	return -1
}

// wordEnd returns where the word starting at i ends. An apostrophe joins two
// runs of letters ("don't", "today's"); a '.' or ',' joins two runs of digits
// ("2.50", "1,000"). A word never runs into a masked action at limit.
func wordEnd(text string, i, limit int) int {
	prevDigit := false
	for i < len(text) && i != limit {
		if c := text[i]; c < utf8.RuneSelf && ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			prevDigit = false
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if isWordRune(r) {
			prevDigit = unicode.IsDigit(r)
			i += size
			continue
		}
		if i+size < len(text) && i+size != limit {
			next, _ := utf8.DecodeRuneInString(text[i+size:])
			if isApostrophe(r) && unicode.IsLetter(next) {
				i += size
				continue
			}
			if (r == '.' || r == ',') && prevDigit && unicode.IsDigit(next) {
				i += size
				continue
			}
		}
		break
	}
	return i
}

// isEmoji reports whether r is a pictographic symbol worth counting. Skin
// tone modifiers, variation selectors and joiners are parts of one emoji,
// not emoji of their own.
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F3FB && r <= 0x1F3FF:
		return false
	case r >= 0x1F000 && r <= 0x1FAFF:
		return true
	case r >= 0x2600 && r <= 0x27BF:
		return true
	case r >= 0x2300 && r <= 0x23FF, r == 0x2B50, r == 0x2B55, r == 0x2B1B, r == 0x2B1C:
		return true
	}
	return false
}

// maskTemplate returns source with every {{…}} action replaced by spaces of
// the same byte length (newlines kept, so line numbers stay true), the
// actions as holes, and whether an action prints the business name.
func maskTemplate(source string) (string, []hole, bool) {
	var holes []hole
	sender := false
	var b []byte
	i := 0
	for {
		j := strings.Index(source[i:], "{{")
		if j < 0 {
			break
		}
		j += i
		end := actionEnd(source, j+2)
		if b == nil {
			b = []byte(source)
		}
		for k := j; k < end; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
		body := source[j+2 : max(j+2, end-2)]
		value := isValueAction(body)
		if value && strings.Contains(strings.ToLower(body), ".business.name") {
			sender = true
		}
		holes = append(holes, hole{span: span{j, end}, value: value, branch: isElseAction(body)})
		i = end
	}
	if b == nil {
		return source, nil, false
	}
	return string(b), holes, sender
}

// actionEnd finds the "}}" closing an action that starts before i, skipping
// quoted strings, so {{ "}}" }} is one action. An unclosed action runs to the
// end of the source.
func actionEnd(s string, i int) int {
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '`' || c == '\'':
			quote = c
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			return i + 2
		}
	}
	return len(s)
}

// isElseAction reports whether an action's body is {{else}} or
// {{else if …}}, which ends one branch and starts another.
func isElseAction(body string) bool {
	f := strings.Fields(strings.Trim(body, "- \t\r\n"))
	return len(f) > 0 && f[0] == "else"
}

// isValueAction reports whether an action's body prints a value, as opposed
// to control flow and comments, which print nothing.
func isValueAction(body string) bool {
	k := 0
	for k < len(body) && (body[k] == '-' || body[k] == ' ' || body[k] == '\t' || body[k] == '\n' || body[k] == '\r') {
		k++
	}
	rest := body[k:]
	if len(rest) >= 2 && rest[:2] == "/*" {
		return false
	}
	w := 0
	for w < len(rest) && rest[w] >= 'a' && rest[w] <= 'z' {
		w++
	}
	switch rest[:w] {
	case "if", "else", "end", "range", "with", "define", "block", "break", "continue":
		return false
	}
	return true
}

// Sentences splits text into sentences of lower-cased words as the checker
// reads them, so the model learns from the words it is later shown.
func Sentences(text string) [][]string {
	toks, low := tokenize(text, nil, nil, nil)
	var out [][]string
	for _, t := range toks {
		if t.brk || len(out) == 0 {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], string(low[t.lo:t.hi]))
	}
	return out
}
