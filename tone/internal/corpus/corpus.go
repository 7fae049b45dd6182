// Package corpus reads the tone model's training corpus: grammars of
// hand-written fragments that expand, the same way every time, into
// thousands of labelled lines in many voices, and hand-written labelled
// lines kept beside them.
//
// A grammar file (corpus/<lang>.txt) holds slots and sections:
//
//	# a comment
//	@item = rye loaf | lemon cake | (seeded|plain) bagels
//	== urgency
//	(Hurry|Be quick), the @item (ends|goes) tonight.
//	== ok
//	The @item is back on Saturdays.
//
// A section is named for a family, or ok for ordinary lines; each line under
// it is a template. (a|b|c) picks one alternative, (a|) may leave it out, and
// @name picks one value of a slot. Groups nest.
package corpus

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line is one labelled line: Family is a family name or "ok".
type Line struct {
	Family string
	Text   string
	Source string // file:line of the template or hand-written line
}

// node is a parsed template: a sequence of parts, each a literal, a choice
// between sequences, or a slot reference.
type node struct {
	lit  string
	alts [][]node
	slot string
}

// Grammar is a parsed grammar file.
type Grammar struct {
	file     string
	slots    map[string][][]node
	sections map[string][]template
	order    []string
}

type template struct {
	seq  []node
	line int
}

// Parse reads a grammar file.
func Parse(file string, data []byte) (*Grammar, error) {
	g := &Grammar{file: file, slots: map[string][][]node{}, sections: map[string][]template{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	section := ""
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "=="):
			section = strings.TrimSpace(strings.TrimPrefix(line, "=="))
			if _, ok := g.sections[section]; !ok {
				g.order = append(g.order, section)
			}
			g.sections[section] = g.sections[section]
			continue
		case strings.HasPrefix(line, "@") && strings.Contains(line, "="):
			name, body, _ := strings.Cut(line[1:], "=")
			alts, err := parseAlts(body)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: slot %s: %w", file, n, strings.TrimSpace(name), err)
			}
			g.slots[strings.TrimSpace(name)] = append(g.slots[strings.TrimSpace(name)], alts...)
			continue
		}
		if section == "" {
			return nil, fmt.Errorf("%s:%d: a template before any == section", file, n)
		}
		seq, rest, err := parseSeq(line)
		if err != nil || rest != "" {
			if err == nil {
				err = fmt.Errorf("unexpected %q", rest)
			}
			return nil, fmt.Errorf("%s:%d: %w", file, n, err)
		}
		g.sections[section] = append(g.sections[section], template{seq: seq, line: n})
	}
	if err := g.checkSlots(); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *Grammar) checkSlots() error {
	var walk func([]node) error
	walk = func(seq []node) error {
		for _, p := range seq {
			if p.slot != "" && g.slots[p.slot] == nil {
				return fmt.Errorf("%s: slot @%s is used but not defined", g.file, p.slot)
			}
			for _, a := range p.alts {
				if err := walk(a); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, ts := range g.sections {
		for _, t := range ts {
			if err := walk(t.seq); err != nil {
				return err
			}
		}
	}
	for _, alts := range g.slots {
		for _, a := range alts {
			if err := walk(a); err != nil {
				return err
			}
		}
	}
	return nil
}

// parseAlts reads a|b|c up to the end of s.
func parseAlts(s string) ([][]node, error) {
	var alts [][]node
	for {
		seq, rest, err := parseSeq(s)
		if err != nil {
			return nil, err
		}
		alts = append(alts, seq)
		if rest == "" {
			return alts, nil
		}
		if rest[0] != '|' {
			return nil, fmt.Errorf("unexpected %q", rest)
		}
		s = rest[1:]
	}
}

// parseSeq reads a sequence up to an unmatched | or ) and returns the rest.
func parseSeq(s string) ([]node, string, error) {
	var seq []node
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			seq = append(seq, node{lit: lit.String()})
			lit.Reset()
		}
	}
	for len(s) > 0 {
		c := s[0]
		switch {
		case c == '|' || c == ')':
			flush()
			return seq, s, nil
		case c == '(':
			flush()
			var alts [][]node
			s = s[1:]
			for {
				sub, rest, err := parseSeq(s)
				if err != nil {
					return nil, "", err
				}
				alts = append(alts, sub)
				if rest == "" {
					return nil, "", fmt.Errorf("( is not closed")
				}
				s = rest[1:]
				if rest[0] == ')' {
					break
				}
			}
			seq = append(seq, node{alts: alts})
		case c == '@':
			flush()
			j := 1
			for j < len(s) && (s[j] == '_' || s[j] == '-' && j+1 < len(s) && isName(s[j+1]) || isName(s[j])) {
				j++
			}
			if j == 1 {
				return nil, "", fmt.Errorf("@ without a slot name")
			}
			seq = append(seq, node{slot: s[1:j]})
			s = s[j:]
		default:
			lit.WriteByte(c)
			s = s[1:]
		}
	}
	flush()
	return seq, "", nil
}

func isName(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// Sections lists the grammar's sections in the order they first appear.
func (g *Grammar) Sections() []string { return slices.Clone(g.order) }

// Expand draws up to n distinct lines of a section. The draw is seeded by
// the file and section names, so it is the same on every machine.
func (g *Grammar) Expand(section string, n int) []Line {
	ts := g.sections[section]
	if len(ts) == 0 {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(g.file + "\x00" + section))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x636f75727465737))
	seen := map[string]bool{}
	var out []Line
	for tries := 0; len(out) < n && tries < 30*n; tries++ {
		t := ts[tries%len(ts)]
		if tries >= len(ts) {
			t = ts[rng.IntN(len(ts))]
		}
		var b strings.Builder
		g.draw(&b, t.seq, rng, 0)
		text := tidy(b.String())
		if text == "" || seen[text] {
			continue
		}
		seen[text] = true
		out = append(out, Line{Family: section, Text: text, Source: fmt.Sprintf("%s:%d", g.file, t.line)})
	}
	return out
}

func (g *Grammar) draw(b *strings.Builder, seq []node, rng *rand.Rand, depth int) {
	if depth > 20 {
		return
	}
	for _, p := range seq {
		switch {
		case p.slot != "":
			alts := g.slots[p.slot]
			g.draw(b, alts[rng.IntN(len(alts))], rng, depth+1)
		case p.alts != nil:
			g.draw(b, p.alts[rng.IntN(len(p.alts))], rng, depth+1)
		default:
			b.WriteString(p.lit)
		}
	}
}

// tidy collapses spaces, drops a space before punctuation and starts the
// line with a capital, so fragments join as a person would write them.
func tidy(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for _, p := range []string{" ,", " .", " !", " ?", " :", " ;"} {
		s = strings.ReplaceAll(s, p, p[1:])
	}
	s = strings.ReplaceAll(s, "( ", "(")
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return ""
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// ReadTSV reads hand-written labelled lines: label (good|bad), family,
// campaign kind and text, tab-separated; '#' starts a comment line. A good
// line's family is "ok".
func ReadTSV(file string, data []byte) ([]Line, []string, error) {
	var out []Line
	var kinds []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.SplitN(line, "\t", 4)
		if len(cols) != 4 || cols[0] != "good" && cols[0] != "bad" {
			return nil, nil, fmt.Errorf("%s:%d: want label (good or bad), family, kind and text separated by tabs", file, n)
		}
		fam := cols[1]
		if cols[0] == "good" {
			fam = "ok"
		}
		out = append(out, Line{Family: fam, Text: cols[3], Source: fmt.Sprintf("%s:%d", file, n)})
		kinds = append(kinds, cols[2])
	}
	return out, kinds, sc.Err()
}

// HeldOut says the line is one of the one in ten the training step keeps
// out of training, chosen by a hash of its text, so the split is the same
// on every run and the tests can score the lines it held out.
func HeldOut(text string) bool {
	h := fnv.New32a()
	h.Write([]byte(text))
	return h.Sum32()%10 == 0
}
