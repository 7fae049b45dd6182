package tone

//go:generate go run ./internal/train -corpus corpus -dev testdata/dev -out model -seen testdata/fresh,testdata/blind,testdata/blind2,testdata/blind3,testdata/blind4,testdata/blind5,testdata/blind6,testdata/blind7,testdata/blind8,testdata/blind9,testdata/blind10,testdata/blind11,testdata/blind12,testdata/blind13,testdata/blind14,testdata/blind15

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/courtesyhq/courtesy/tone/internal/features"
)

// modelFamilies are the families the learnt models are trained for.
// Shouting is left to the rules: it is typography, not wording.
var modelFamilies = []string{"urgency", "scarcity", "guilt", "creepy", "sensitive", "hard-sell"}

// maxFamilies bounds the families of one model, so a sentence's scores fit
// in a fixed array and scoring does not allocate.
const maxFamilies = 8

//go:embed model
var modelFS embed.FS

// languageModel is the learnt model of one language.
type languageModel struct {
	*features.Model
	lang string // the language its features are read in
}

var models sync.Map // language → func() (*languageModel, error)

// loadModel reads the embedded model of lang once per process; a language
// without one has none (nil).
func loadModel(lang string) (*languageModel, error) {
	f, _ := models.LoadOrStore(lang, sync.OnceValues(func() (*languageModel, error) {
		data, err := fs.ReadFile(modelFS, "model/"+lang+".gz")
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		m, err := features.Read(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", lang, err)
		}
		if len(m.Families) > maxFamilies {
			return nil, fmt.Errorf("tone model %s: %d families, at most %d", lang, len(m.Families), maxFamilies)
		}
		return &languageModel{m, lang}, nil
	}))
	return f.(func() (*languageModel, error))()
}

// sentence is one sentence of the checked text, as token indexes [a, b),
// its score per family before the bias, and how many of its words the shop
// wrote.
type sentence struct {
	a, b  int32
	words int32
	score [maxFamilies]float32
}

// minModelWords is the fewest words the model judges: "Really!" or
// "Questions?" say too little to tell what a sentence does, and the short
// shouts that do ("Hurry!", "Last chance!") are the phrase rules' work.
const minModelWords = 3

// score adds the features of the words s.words to a sentence's scores.
func (m *languageModel) score(s *scratch, sc *[maxFamilies]float32) {
	s.feats = features.Append(s.feats[:0], m.lang, s.words)
	nf := len(m.Families)
	for _, f := range s.feats {
		row, ok := m.Index[f.Hash]
		if !ok {
			continue
		}
		w := m.Weights[int(row)*nf : int(row)*nf+nf]
		for k := range w {
			sc[k] += w[k]
		}
	}
}

// sentenceWords collects the words of tokens [a, b) that the shop wrote:
// not masked actions and not values from customer data.
func (s *scratch) sentenceWords(a, b int) {
	s.words = s.words[:0]
	for k := a; k < b; k++ {
		t := &s.toks[k]
		if t.kind == tokPlaceholder || t.personal {
			continue
		}
		s.words = append(s.words, s.low[t.lo:t.hi])
	}
}

// modelHits scores every sentence, and every two neighbouring sentences
// together (a guilt trip often takes two: "We miss you. Don't you miss
// us?"), and adds a hit for each active model rule whose family reads there.
func (c *ruleset) modelHits(s *scratch, orig string) {
	m := c.model
	any := false
	for i := range c.rules {
		any = any || s.active[i] && c.rules[i].family >= 0
	}
	if m == nil || !any {
		return
	}
	s.sents = s.sents[:0]
	for a := 0; a < len(s.toks); {
		b := a + 1
		for b < len(s.toks) && !s.toks[b].brk {
			b++
		}
		s.sentenceWords(a, b)
		st := sentence{a: int32(a), b: int32(b), words: int32(len(s.words))}
		m.score(s, &st.score)
		s.sents = append(s.sents, st)
		a = b
	}
	for ri := range c.rules {
		f := c.rules[ri].family
		if !s.active[ri] || f < 0 {
			continue
		}
		bias, thr := m.Bias[f], m.Threshold[f]
		for i := range s.sents {
			one := &s.sents[i]
			a, b := int(one.a), int(one.b)
			if one.words < minModelWords || bias+one.score[f] <= thr {
				if i == 0 {
					continue
				}
				prev := &s.sents[i-1]
				alone := prev.words >= minModelWords && bias+prev.score[f] > thr
				if alone || s.toks[a].branch || one.words+prev.words < minModelWords || bias+one.score[f]+prev.score[f] <= thr {
					continue
				}
				a = int(prev.a)
			}
			s.hits = append(s.hits, hit{
				rule: int32(ri), start: int(s.toks[a].start), end: int(s.toks[b-1].end),
				words: c.carriers(s, f, a, b, orig),
			})
		}
	}
}

// carriers names the words of tokens [a, b) that pushed the score of family
// f up the most, in the order they appear: the explanation of a finding.
func (c *ruleset) carriers(s *scratch, f, a, b int, orig string) string {
	s.sentenceWords(a, b)
	// Which token each word came from, to quote it as written.
	var from []int
	for k := a; k < b; k++ {
		if t := &s.toks[k]; t.kind != tokPlaceholder && !t.personal {
			from = append(from, k)
		}
	}
	s.feats = features.Append(s.feats[:0], c.lang, s.words)
	nf := len(c.model.Families)
	contrib := make([]float32, len(s.words))
	for _, ft := range s.feats {
		if row, ok := c.model.Index[ft.Hash]; ok {
			contrib[ft.Word] += c.model.Weights[int(row)*nf+f]
		}
	}
	order := make([]int, len(contrib))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		switch {
		case contrib[x] > contrib[y]:
			return -1
		case contrib[x] < contrib[y]:
			return 1
		}
		return 0
	})
	var top []int
	for _, i := range order {
		if len(top) == 3 || contrib[i] <= 0 {
			break
		}
		top = append(top, i)
	}
	slices.Sort(top)
	quoted := make([]string, len(top))
	for k, i := range top {
		t := &s.toks[from[i]]
		quoted[k] = `"` + orig[t.start:t.end] + `"`
	}
	return strings.Join(quoted, ", ")
}
