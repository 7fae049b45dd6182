package tone

import (
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/courtesyhq/courtesy"
)

// Held returns the first finding of error severity that Check raises for
// the text: the one that holds a message at send time. ok is false when
// the text may go.
//
// The messages of one campaign differ only in what is substituted from
// customer data, so Held remembers the texts it passed by the shop's part
// of them: the text with every value of ctx.Personal and every link
// replaced by the shape of its words. Each word becomes a mark that says
// whether it starts and ends with a digit, the punctuation between words
// stays, and a link's token counts as one word. Two texts of the same shape
// tokenize into the same words and sentences of the shop's, so a
// campaign's messages are read once per variant and language, not once per
// customer. A text that holds is always checked in full, so the finding
// quotes its own words.
//
// A remembered pass differs from a full check in one case: where the
// letters of a customer's value, not only its shape, complete a pattern
// with the shop's words (a name "May" after "only until"), or a link's
// token split at '-' or '_' into more words than a gap allows. A full check
// would hold that message; Held passes it when a text of its shape passed
// before. What it judges is then the shop's wording, which every message
// of the shape shares.
func (c *Checker) Held(ctx Context, text string) (f Finding, ok bool) {
	key, cacheable := shapeKey(ctx, text)
	if cacheable && c.passed.has(key) {
		return Finding{}, false
	}
	for _, f := range c.Check(ctx, text) {
		if f.Severity == courtesy.SeverityError {
			return f, true
		}
	}
	if cacheable {
		c.passed.add(key)
	}
	return Finding{}, false
}

// passedTexts is a bounded set of the shapes Held passed. When it fills,
// it starts again: a shop's campaigns have a handful of shapes, so a full
// set means the shapes are churning and keeping them buys nothing.
type passedTexts struct {
	mu  sync.RWMutex
	set map[string]struct{}
}

// maxPassed bounds the remembered shapes (and the memory they hold: a
// shape is the size of its message).
const maxPassed = 4096

func (p *passedTexts) has(key string) bool {
	p.mu.RLock()
	_, ok := p.set[key]
	p.mu.RUnlock()
	return ok
}

func (p *passedTexts) add(key string) {
	p.mu.Lock()
	if p.set == nil || len(p.set) >= maxPassed {
		p.set = make(map[string]struct{}, 64)
	}
	p.set[key] = struct{}{}
	p.mu.Unlock()
}

// shapeKey is what Held remembers a text by: the context a check reads
// (everything but the personal values themselves) and the text with each
// personal value and link replaced by its shape. ok is false when there is
// nothing personal in the text, or a value holds a line break, which the
// checker reads as a sentence's end only when it is doubled; such texts
// are checked every time.
// What covers a byte of the text in shapeKey.
const (
	coveredValue = 1
	coveredLink  = 2
)

// digitClass is 1 for a digit, else 0.
func digitClass(r rune) byte {
	if unicode.IsDigit(r) {
		return 1
	}
	return 0
}

func shapeKey(ctx Context, text string) (string, bool) {
	var spans []span
	for _, p := range ctx.Personal {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if strings.ContainsAny(p, "\n\r") {
			return "", false
		}
		for off := 0; ; {
			j := strings.Index(text[off:], p)
			if j < 0 {
				break
			}
			spans = append(spans, span{off + j, off + j + len(p)})
			off += j + len(p)
		}
	}
	links := appendLinks(nil, text)
	if len(spans) == 0 && len(links) == 0 {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(text) + 64)
	b.WriteString(ctx.Kind)
	b.WriteByte(0)
	b.WriteString(strconv.FormatBool(ctx.StockData))
	b.WriteByte(0)
	b.WriteString(ctx.BusinessName)
	b.WriteByte(0)
	b.WriteString(ctx.Lang)
	for _, a := range ctx.Allow {
		b.WriteByte(0)
		b.WriteString(a.Rule)
		b.WriteByte(1)
		b.WriteString(a.Reason)
	}
	b.WriteByte(0)
	// Spans are found value by value, so they may overlap or come out of
	// order: walk the text once, with what covers each byte.
	cover := make([]byte, len(text))
	for _, s := range spans {
		for i := s.start; i < s.end; i++ {
			cover[i] = coveredValue
		}
	}
	for _, s := range links {
		for i := s.start; i < s.end; i++ {
			cover[i] = coveredLink
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		c := cover[i]
		if c == 0 || !isWordRune(r) && !(c == coveredLink && (r == '-' || r == '_')) {
			b.WriteString(text[i : i+size])
			i += size
			continue
		}
		// A run of word runes is one word to the tokenizer; whether it
		// is a number, and how it joins what follows, hang on its first
		// and last rune. A link's token, base64 with '-' and '_' in it,
		// is one run whatever its letters: its words are the link's own.
		first, last := r, r
		j := i
		for j < len(text) && cover[j] == c {
			r, size := utf8.DecodeRuneInString(text[j:])
			if !isWordRune(r) && !(c == coveredLink && (r == '-' || r == '_')) {
				break
			}
			last = r
			j += size
		}
		if c == coveredLink {
			b.WriteByte(0x05)
		} else {
			b.WriteByte(0x01 + 2*digitClass(first) + digitClass(last))
		}
		i = j
	}
	return b.String(), true
}
