package tone

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/tone/internal/features"
)

// scratch is the per-call working memory, pooled so a check of a clean
// message allocates next to nothing.
type scratch struct {
	text      string // the text as checked, for quoting the words of a finding
	toks      []token
	low       []byte
	personal  []span
	hits      []hit
	excepts   []hit
	active    []bool
	satisfied []bool
	nameToks  []token
	nameLow   []byte
	words     [][]byte
	feats     []features.Feature
	sents     []sentence
}

// hit is a candidate finding: a pattern match or a counted mark.
type hit struct {
	rule       int32
	start, end int
	with       string
	words      string // a model hit: the words that carried it
}

// Check checks rendered text (subject and body) as it would be sent, with
// the rules of ctx.Lang. Offsets, lines and columns refer to text.
func (c *Checker) Check(ctx Context, text string) []Finding {
	rs, missing := c.set(ctx.Lang)
	return finish(ctx, missing, rs.check(ctx, text, text, nil, false))
}

// CheckTemplate checks template source. Every {{…}} action is masked by
// spaces of the same length, so lines and columns are those of the source
// file and the shouting rules see only the template's own words; an action
// that prints a value stands for one unknown word, and one that prints
// .Business.Name names the sender.
func (c *Checker) CheckTemplate(ctx Context, source string) []Finding {
	rs, missing := c.set(ctx.Lang)
	masked, holes, sender := maskTemplate(source)
	return finish(ctx, missing, rs.check(ctx, source, masked, holes, sender))
}

// finish says when the text's language had no rules of its own, and turns
// the findings the campaign allowed into suggestions that carry its reason.
func finish(ctx Context, missing string, out []Finding) []Finding {
	if missing != "" {
		out = append([]Finding{noRules(missing)}, out...)
	}
	for i := range out {
		if reason, ok := ctx.allows(out[i]); ok {
			out[i].Severity = courtesy.SeveritySuggestion
			out[i].Allowed = reason
		}
	}
	return out
}

func (c *ruleset) check(ctx Context, orig, text string, holes []hole, senderAction bool) []Finding {
	s := c.pool.Get().(*scratch)
	defer c.pool.Put(s)
	s.personal, s.hits, s.excepts = s.personal[:0], s.hits[:0], s.excepts[:0]
	s.text = orig
	defer func() { s.text = "" }()

	for _, p := range ctx.Personal {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		for off := 0; ; {
			j := strings.Index(text[off:], p)
			if j < 0 {
				break
			}
			s.personal = append(s.personal, span{off + j, off + j + len(p)})
			off += j + len(p)
		}
	}
	s.personal = appendLinks(s.personal, text)
	s.toks, s.low = tokenize(text, holes, s.toks[:0], s.low[:0])
	if len(s.personal) > 0 {
		for i := range s.toks {
			t := &s.toks[i]
			t.personal = s.inPersonal(int(t.start), int(t.end))
		}
	}
	for i := range c.rules {
		s.active[i] = c.rules[i].applies(ctx)
		s.satisfied[i] = false
	}

	c.matchPatterns(s)
	c.modelHits(s, orig)
	for i := range c.rules {
		r := &c.rules[i]
		if !s.active[i] {
			continue
		}
		switch {
		case r.Kind == Occurrence && !r.usesTokens():
			c.countScope(s, int32(i), text)
		case r.Kind == Ratio:
			c.capitalRatio(s, int32(i))
		case r.Kind == Required && r.Scope == ScopeSender:
			s.satisfied[i] = senderAction || ctx.BusinessName == "" || s.namesSender(ctx.BusinessName)
		}
	}

	// Exceptions spare the matches they cover; overlapping matches of one
	// rule are one finding (the earliest, longest).
	slices.SortFunc(s.hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.rule, b.rule), cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end))
	})
	kept := s.hits[:0]
	for _, h := range s.hits {
		if s.excepted(h) {
			continue
		}
		if n := len(kept); n > 0 && kept[n-1].rule == h.rule && h.start < kept[n-1].end {
			continue
		}
		kept = append(kept, h)
	}
	s.hits = c.dropExplained(kept, s.excepts)

	var out []Finding
	for lo := 0; lo < len(s.hits); {
		hi := lo
		for hi < len(s.hits) && s.hits[hi].rule == s.hits[lo].rule {
			hi++
		}
		out = c.judge(out, s.hits[lo:hi], orig)
		s.satisfied[s.hits[lo].rule] = true
		lo = hi
	}
	for i := range c.rules {
		r := &c.rules[i]
		if s.active[i] && r.Kind == Required && !s.satisfied[i] {
			out = append(out, c.finding(r, orig, 0, 0, "", 0))
		}
		if s.active[i] && r.Kind == Occurrence && r.hasMin && !s.satisfied[i] && r.min > 0 {
			out = append(out, c.finding(r, orig, 0, 0, "", 0))
		}
	}
	if len(out) == 0 {
		return nil
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Rule, b.Rule))
	})
	locate(orig, out)
	return out
}

// judge turns one rule's hits into findings.
func (c *ruleset) judge(out []Finding, hits []hit, orig string) []Finding {
	r := &c.rules[hits[0].rule]
	switch r.Kind {
	case Existence, Substitution:
		for _, h := range hits {
			f := c.finding(r, orig, h.start, h.end, h.with, len(hits))
			f.Words = h.words
			if strings.Contains(f.Message, "{words}") {
				// A match without a gap is carried by all its words.
				words := cmp.Or(h.words, `"`+f.Match+`"`)
				f.Message = strings.ReplaceAll(f.Message, "{words}", words)
			}
			out = append(out, f)
		}
	case Occurrence:
		n := len(hits)
		if r.hasMin && float64(n) < r.min {
			out = append(out, c.finding(r, orig, 0, 0, "", n))
		}
		if r.hasMax && float64(n) > r.max {
			allowed := int(math.Floor(r.max))
			for _, h := range hits[allowed:] {
				out = append(out, c.finding(r, orig, h.start, h.end, "", n))
			}
		}
	case Ratio:
		for _, h := range hits {
			out = append(out, c.finding(r, orig, h.start, h.end, "", 0))
		}
	case Model:
		for _, h := range hits {
			f := c.finding(r, orig, h.start, h.end, "", 0)
			f.Message = strings.ReplaceAll(f.Message, "{words}", h.words)
			f.Words = h.words
			out = append(out, f)
		}
	}
	return out
}

// dropExplained leaves out a model hit where a phrase rule of the same
// family already fired: the phrase says more precisely what is wrong.
func (c *ruleset) dropExplained(hits, excepts []hit) []hit {
	// Filtering in place is safe: phrase hits are never dropped, so every
	// one of them is still somewhere in hits while the filter reads it.
	out := hits[:0]
	for _, h := range hits {
		if c.rules[h.rule].family >= 0 && c.explained(hits, excepts, h) {
			continue
		}
		out = append(out, h)
	}
	return out
}

// explained also holds for a model hit over wording a shop excepted from a
// phrase rule of the same family: "last chance to see the old oven", once
// spared, is spared whoever reads it.
func (c *ruleset) explained(hits []hit, excepts []hit, m hit) bool {
	fam := c.rules[m.rule].Family
	for _, set := range [][]hit{hits, excepts} {
		for _, h := range set {
			if c.rules[h.rule].family < 0 && c.rules[h.rule].Family == fam && h.start < m.end && m.start < h.end {
				return true
			}
		}
	}
	return false
}

func (c *ruleset) finding(r *crule, orig string, start, end int, with string, count int) Finding {
	msg := r.Message
	if strings.Contains(msg, "{") {
		msg = strings.NewReplacer(
			"{match}", orig[start:end],
			"{with}", with,
			"{count}", strconv.Itoa(count),
			"{max}", formatLimit(r.Kind, r.max),
			"{min}", formatLimit(r.Kind, r.min),
		).Replace(msg)
	}
	return Finding{
		Rule: r.ID, Family: r.Family, Severity: r.Severity, Message: msg, Suggestion: with,
		Start: start, End: end, Match: orig[start:end],
	}
}

func formatLimit(k Kind, v float64) string {
	if k == Ratio {
		return fmt.Sprintf("%.0f%%", v*100)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// matchPatterns finds every pattern match, looking up candidates by the
// token a pattern starts with.
func (c *ruleset) matchPatterns(s *scratch) {
	for i := range s.toks {
		t := &s.toks[i]
		if t.kind == tokPlaceholder {
			continue
		}
		c.tryPatterns(s, c.first[string(s.low[t.lo:t.hi])], i)
		// Words are written one after another in low, so a token and its
		// successor read together are one slice of it.
		if i+1 < len(s.toks) && !s.toks[i+1].brk && s.toks[i+1].kind != tokPlaceholder {
			c.tryPatterns(s, c.second[string(s.low[t.lo:s.toks[i+1].hi])], i)
		}
		if t.kind == tokWord {
			if t.hi-t.lo >= stemKey {
				c.tryPatterns(s, c.stemFirst[string(s.low[t.lo:t.lo+stemKey])], i)
			}
			c.tryPatterns(s, c.shortStem, i)
		}
		if t.num {
			c.tryPatterns(s, c.numFirst, i)
		}
	}
}

func (c *ruleset) tryPatterns(s *scratch, ids []int32, i int) {
	for _, id := range ids {
		p := &c.pats[id]
		if !s.active[p.rule] {
			continue
		}
		end := p.matchFrom(s.toks, s.low, i, 0)
		if end <= i {
			continue
		}
		if s.allPersonal(i, end) {
			continue
		}
		h := hit{rule: p.rule, start: int(s.toks[i].start), end: int(s.toks[end-1].end), with: p.with}
		if p.gap && p.role == roleMatch {
			h.words = quoteCarriers(s, &p.pattern, i)
		}
		if p.role == roleException {
			s.excepts = append(s.excepts, h)
		} else {
			s.hits = append(s.hits, h)
		}
	}
}

// quoteCarriers quotes the words that a pattern with a gap matched from
// token i, each run of neighbouring words as one phrase: what carried a
// structural finding, without the words between its parts.
func quoteCarriers(s *scratch, p *pattern, i int) string {
	idx := p.carriers(s.toks, s.low, i, nil)
	var b strings.Builder
	for k := 0; k < len(idx); {
		j := k + 1
		for j < len(idx) && idx[j] == idx[j-1]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + s.text[s.toks[idx[k]].start:s.toks[idx[j-1]].end] + `"`)
		k = j
	}
	return b.String()
}

// countScope adds a hit for everything an occurrence rule counts.
func (c *ruleset) countScope(s *scratch, ri int32, text string) {
	switch c.rules[ri].Scope {
	case ScopeExclamation, ScopeExclamationRun:
		run := c.rules[ri].Scope == ScopeExclamationRun
		for i := 0; i < len(text); {
			if text[i] != '!' && text[i] != '?' {
				i++
				continue
			}
			j, bangs := i, 0
			for j < len(text) && (text[j] == '!' || text[j] == '?') {
				if text[j] == '!' {
					bangs++
				}
				j++
			}
			if bangs > 0 && (!run || j-i >= 2) && !s.inPersonal(i, j) {
				s.hits = append(s.hits, hit{rule: ri, start: i, end: j})
			}
			i = j
		}
	case ScopeCapsWord:
		for k := range s.toks {
			t := &s.toks[k]
			if t.kind == tokWord && !t.personal && t.letters >= 4 && isUpperWord(t) && !nameInCompound(text, int(t.end)) {
				s.hits = append(s.hits, hit{rule: ri, start: int(t.start), end: int(t.end)})
			}
		}
	case ScopeEmoji:
		prev := rune(0)
		for i, r := range text {
			if r < utf8.RuneSelf {
				prev = r
				continue
			}
			if isEmoji(r) && prev != 0x200D && !(isRegional(r) && isRegional(prev)) && !s.inPersonal(i, i+1) {
				s.hits = append(s.hits, hit{rule: ri, start: i, end: i + utf8.RuneLen(r)})
			}
			if isRegional(r) && isRegional(prev) {
				r = 0 // a flag is two regional indicators; the next one starts a new flag
			}
			prev = r
		}
	}
}

// nameInCompound reports whether the word ending at end is joined by a
// hyphen to a word in lower case: "LEGO-doos", "IKEA-Regal". A brand
// written in capitals inside a compound names the product; it does not
// shout.
func nameInCompound(text string, end int) bool {
	if end >= len(text) || text[end] != '-' {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[end+1:])
	return unicode.IsLower(r)
}

func hasDigit(b []byte) bool {
	for _, c := range b {
		if '0' <= c && c <= '9' {
			return true
		}
	}
	return false
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// capitalRatio adds a hit when capitals make up too much of the template's
// own letters, pointing at the first word that shouts.
func (c *ruleset) capitalRatio(s *scratch, ri int32) {
	r := &c.rules[ri]
	letters, upper := 0, 0
	first := -1
	for k := range s.toks {
		t := &s.toks[k]
		// Codes such as postcodes ("BS1 4DJ") are written in capitals by
		// convention; they are not the shop raising its voice.
		if t.kind != tokWord || t.personal || t.num || t.letters < t.hi-t.lo && hasDigit(s.low[t.lo:t.hi]) {
			continue
		}
		letters += int(t.letters)
		upper += int(t.upper)
		if first < 0 && t.upper >= 2 {
			first = k
		}
	}
	if letters < r.Sample || letters == 0 {
		return
	}
	ratio := float64(upper) / float64(letters)
	if r.hasMax && ratio > r.max || r.hasMin && ratio < r.min {
		if first < 0 {
			first = 0
		}
		t := &s.toks[first]
		s.hits = append(s.hits, hit{rule: ri, start: int(t.start), end: int(t.end)})
	}
}

// namesSender reports whether the text names the business: its name's
// words, or the first two of them ("Crumb & Co." for "Crumb & Co. Bakery"),
// in a row, in any case.
func (s *scratch) namesSender(name string) bool {
	s.nameToks, s.nameLow = tokenize(name, nil, s.nameToks[:0], s.nameLow[:0])
	n := min(len(s.nameToks), 2)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s.toks); i++ {
		ok := true
		for k := 0; k < n; k++ {
			t, nt := &s.toks[i+k], &s.nameToks[k]
			if string(s.low[t.lo:t.hi]) != string(s.nameLow[nt.lo:nt.hi]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// appendLinks adds the web links in text to spans. A link is nobody's
// wording: the signed tokens in the footer's links are random letters and
// digits, and a run such as "J6DNG" in one must not read as shouting.
func appendLinks(spans []span, text string) []span {
	for off := 0; off < len(text); {
		j := strings.Index(text[off:], "http")
		if j < 0 {
			break
		}
		start := off + j
		rest := text[start:]
		if !strings.HasPrefix(rest, "https://") && !strings.HasPrefix(rest, "http://") {
			off = start + 4
			continue
		}
		end := start + strings.IndexFunc(rest, func(r rune) bool {
			return r <= ' ' || r == '<' || r == '>' || r == '"' || r == '\''
		})
		if end < start {
			end = len(text)
		}
		spans = append(spans, span{start, end})
		off = end
	}
	return spans
}

func (s *scratch) inPersonal(start, end int) bool {
	for _, p := range s.personal {
		if start < p.end && end > p.start {
			return true
		}
	}
	return false
}

func (s *scratch) allPersonal(from, to int) bool {
	if len(s.personal) == 0 {
		return false
	}
	for k := from; k < to; k++ {
		if !s.toks[k].personal {
			return false
		}
	}
	return true
}

func (s *scratch) excepted(h hit) bool {
	for _, e := range s.excepts {
		if e.rule == h.rule && e.start <= h.start && h.end <= e.end {
			return true
		}
	}
	return false
}

// locate fills in Line and Col (1-based, Col in runes) of findings sorted
// by Start, in one pass over the text.
func locate(text string, fs []Finding) {
	line, col, pos := 1, 1, 0
	for i := range fs {
		for pos < fs[i].Start && pos < len(text) {
			r, size := utf8.DecodeRuneInString(text[pos:])
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
			pos += size
		}
		fs[i].Line, fs[i].Col = line, col
	}
}
