package tone

import (
	"fmt"
	"strings"
)

// atom matches one token.
type atom struct {
	word string // lower-cased literal, or the stem before ~
	stem bool   // word~: any word that starts with word
	num  bool   // #: a number
	any  bool   // *: any word
}

// elem is one position of a compiled pattern: one of its alternatives, each
// one or more words long, must match there.
type elem struct {
	alts [][]atom
	opt  bool
	gap  bool // ..: up to maxGap words of the same sentence, or none
	// A long list of alternatives is looked up by its first word: byFirst
	// holds the alternatives that start with a literal word, by that word,
	// and others those that start with a stem, a number or any word, each
	// in the order written.
	byFirst map[string][]int32
	others  []int32
}

// indexedAlts is how many alternatives an element has before they are
// looked up by their first word rather than tried one after another.
const indexedAlts = 8

// index builds byFirst and others for a long list of alternatives.
func (e *elem) index() {
	if len(e.alts) < indexedAlts {
		return
	}
	e.byFirst = map[string][]int32{}
	for i, seq := range e.alts {
		if a := seq[0]; a.stem || a.num || a.any {
			e.others = append(e.others, int32(i))
		} else {
			e.byFirst[a.word] = append(e.byFirst[a.word], int32(i))
		}
	}
}

// maxGap is how many words a .. in a pattern skips at most: enough for the
// words between "your basket" and "forever" in "your basket won't wait for
// you forever", few enough that a gap stays inside one clause.
const maxGap = 8

// pattern is a compiled token pattern: a sequence of elements matched
// against consecutive tokens of one sentence.
type pattern struct {
	elems []elem
}

// compilePattern parses the pattern syntax documented in doc.go. A leading
// optional element is expanded into two patterns, with and without it, so
// every pattern can be looked up by the words it starts with.
func compilePattern(src string) ([]pattern, error) {
	elems, err := parseSlots(src)
	if err != nil {
		return nil, err
	}
	for i := range elems {
		elems[i].index()
	}
	if len(elems) == 0 {
		return nil, fmt.Errorf("pattern %q has no words", src)
	}
	var out []pattern
	for len(elems) > 0 && elems[0].opt {
		req := append([]elem{{alts: elems[0].alts}}, elems[1:]...)
		out = append(out, pattern{elems: req})
		elems = elems[1:]
	}
	if len(elems) > 0 {
		out = append(out, pattern{elems: elems})
	}
	if elems[len(elems)-1].gap {
		return nil, fmt.Errorf("pattern %q cannot end with ..: say which word comes after it", src)
	}
	for _, p := range out {
		if p.elems[0].gap {
			return nil, fmt.Errorf("pattern %q cannot start with ..: say which word it starts with", src)
		}
		for _, a := range p.elems[0].alts {
			if a[0].any {
				return nil, fmt.Errorf("pattern %q cannot start with *: say which word it starts with", src)
			}
		}
	}
	return out, nil
}

// leadingPairs returns the first two words of every phrase the pattern can
// start with, written together ("youviewed"), or nil when either may be
// something other than a literal word. The checker looks such patterns up
// by a token and its successor, which spares trying the dozens of patterns
// that start with "you" at every "you".
func (p *pattern) leadingPairs() []string {
	literal := func(a atom) bool { return !a.any && !a.num && !a.stem }
	var out []string
	for _, a := range p.elems[0].alts {
		if !literal(a[0]) {
			return nil
		}
		if len(a) >= 2 {
			if !literal(a[1]) {
				return nil
			}
			out = append(out, a[0].word+a[1].word)
			continue
		}
		if len(p.elems) < 2 || p.elems[1].opt || p.elems[1].gap {
			return nil
		}
		for _, b := range p.elems[1].alts {
			if !literal(b[0]) {
				return nil
			}
			out = append(out, a[0].word+b[0].word)
		}
	}
	return out
}

// parseSlots reads words, {alternatives} and [optional alternatives].
func parseSlots(src string) ([]elem, error) {
	var slots []elem
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '{' || c == '[':
			closer := byte('}')
			if c == '[' {
				closer = ']'
			}
			j := strings.IndexByte(src[i+1:], closer)
			if j < 0 {
				return nil, fmt.Errorf("pattern %q: %q is not closed", src, string(c))
			}
			body := src[i+1 : i+1+j]
			if strings.ContainsAny(body, "{}[]") {
				return nil, fmt.Errorf("pattern %q: groups cannot be nested", src)
			}
			s := elem{opt: c == '['}
			for _, alt := range strings.Split(body, ",") {
				as, err := parseWords(alt)
				if err != nil {
					return nil, fmt.Errorf("pattern %q: %w", src, err)
				}
				if len(as) == 0 {
					return nil, fmt.Errorf("pattern %q: empty alternative in %q", src, string(c)+body+string(closer))
				}
				s.alts = append(s.alts, as)
			}
			slots = append(slots, s)
			i += j + 2
		case c == '.' && strings.HasPrefix(src[i:], "..") && (i+2 == len(src) || strings.ContainsRune(" \t\n", rune(src[i+2]))):
			if n := len(slots); n > 0 && slots[n-1].gap {
				return nil, fmt.Errorf("pattern %q: two .. in a row", src)
			}
			slots = append(slots, elem{gap: true})
			i += 2
		case c == '}' || c == ']':
			return nil, fmt.Errorf("pattern %q: unexpected %q", src, string(c))
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\n{}[]", rune(src[j])) {
				j++
			}
			as, err := parseWords(src[i:j])
			if err != nil {
				return nil, fmt.Errorf("pattern %q: %w", src, err)
			}
			for _, a := range as {
				slots = append(slots, elem{alts: [][]atom{{a}}})
			}
			i = j
		}
	}
	return slots, nil
}

// parseWords reads a space-separated run of pattern words. A word is split
// the way text is ("last-minute" is two words, "50%" is "50" and "%"); a
// trailing ~ makes the last piece a stem.
func parseWords(s string) ([]atom, error) {
	var out []atom
	for _, w := range strings.Fields(s) {
		switch w {
		case "#":
			out = append(out, atom{num: true})
			continue
		case "*":
			out = append(out, atom{any: true})
			continue
		}
		stem := strings.HasSuffix(w, "~")
		w = strings.TrimSuffix(w, "~")
		if strings.ContainsAny(w, "~#*") {
			return nil, fmt.Errorf("%q: ~ ends a stem, and # and * stand alone", w)
		}
		pieces := splitPatternWord(w)
		if len(pieces) == 0 {
			return nil, fmt.Errorf("%q has no letters or digits", w)
		}
		for k, p := range pieces {
			out = append(out, atom{word: p, stem: stem && k == len(pieces)-1})
		}
	}
	return out, nil
}

// splitPatternWord lower-cases w and cuts it into the tokens the text
// tokenizer would make of it.
func splitPatternWord(w string) []string {
	toks, low := tokenize(w, nil, nil, nil)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		out = append(out, string(low[t.lo:t.hi]))
	}
	return out
}

// matchAtom reports whether a matches token t whose lower-cased text is w.
func (a *atom) matchAtom(t *token, w []byte) bool {
	switch {
	case a.any:
		return true
	case a.num:
		return t.num || t.kind == tokPlaceholder
	case t.kind == tokPlaceholder:
		return false
	case a.stem:
		return len(w) >= len(a.word) && string(w[:len(a.word)]) == a.word
	}
	return string(w) == a.word
}

// matchFrom returns the index after the last token matched by elements
// ei… starting at token i, or -1. Alternatives are tried in order and
// optional elements present first, so the longest phrase is usually the one
// reported.
func (p *pattern) matchFrom(toks []token, low []byte, i, ei int) int {
	return p.match(toks, low, i, ei, nil)
}

// match is matchFrom that, given rec, also records the tokens matched by
// words (not by gaps) of the match it returns.
func (p *pattern) match(toks []token, low []byte, i, ei int, rec *[]int) int {
	if ei == len(p.elems) {
		return i
	}
	e := &p.elems[ei]
	if e.gap {
		// The words skipped stay in the sentence: none of them may start a
		// new one, and the next element checks the word it starts at.
		for j := i; j < len(toks) && j-i <= maxGap && !toks[j].brk; j++ {
			if end := p.match(toks, low, j, ei+1, rec); end >= 0 {
				return end
			}
		}
		return -1
	}
	if e.byFirst != nil {
		if i >= len(toks) {
			return p.skipOptional(toks, low, i, ei, rec)
		}
		t := &toks[i]
		lits := e.byFirst[string(low[t.lo:t.hi])]
		if t.kind == tokPlaceholder {
			lits = nil
		}
		// Both lists are in the order written: walk them together.
		for a, b := 0, 0; a < len(lits) || b < len(e.others); {
			var k int32
			if b == len(e.others) || a < len(lits) && lits[a] < e.others[b] {
				k, a = lits[a], a+1
			} else {
				k, b = e.others[b], b+1
			}
			if end := p.matchAlt(toks, low, i, ei, e.alts[k], rec); end >= 0 {
				return end
			}
		}
		return p.skipOptional(toks, low, i, ei, rec)
	}
	for _, seq := range e.alts {
		if end := p.matchAlt(toks, low, i, ei, seq, rec); end >= 0 {
			return end
		}
	}
	return p.skipOptional(toks, low, i, ei, rec)
}

// skipOptional goes on past element ei when it is optional.
func (p *pattern) skipOptional(toks []token, low []byte, i, ei int, rec *[]int) int {
	if p.elems[ei].opt {
		return p.match(toks, low, i, ei+1, rec)
	}
	return -1
}

// matchAlt matches one alternative of element ei at token i, then the
// rest of the pattern.
func (p *pattern) matchAlt(toks []token, low []byte, i, ei int, seq []atom, rec *[]int) int {
	j := i
	for k := range seq {
		if j >= len(toks) || (j > i || ei > 0) && toks[j].brk {
			return -1
		}
		t := &toks[j]
		if !seq[k].matchAtom(t, low[t.lo:t.hi]) {
			return -1
		}
		j++
	}
	n := 0
	if rec != nil {
		n = len(*rec)
		for k := i; k < j; k++ {
			*rec = append(*rec, k)
		}
	}
	if end := p.match(toks, low, j, ei+1, rec); end >= 0 {
		return end
	}
	if rec != nil {
		*rec = (*rec)[:n]
	}
	return -1
}

// hasGap reports whether the pattern skips words somewhere.
func (p *pattern) hasGap() bool {
	for _, e := range p.elems {
		if e.gap {
			return true
		}
	}
	return false
}

// carriers appends to dst the tokens that the pattern's words matched from
// token i, leaving out those a gap skipped: the parts of a structure
// ("basket", "won't wait", "forever").
func (p *pattern) carriers(toks []token, low []byte, i int, dst []int) []int {
	p.match(toks, low, i, 0, &dst)
	return dst
}

// isUpperWord reports whether a word token is written in capitals only.
func isUpperWord(t *token) bool { return t.letters > 0 && t.upper == t.letters }
