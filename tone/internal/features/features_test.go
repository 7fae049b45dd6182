package features

import (
	"bytes"
	"testing"
)

func hashes(words ...string) map[uint32]bool {
	var ws [][]byte
	for _, w := range words {
		ws = append(ws, []byte(w))
	}
	out := map[uint32]bool{}
	for _, f := range Append(nil, "en", ws) {
		out[f.Hash] = true
	}
	return out
}

func shared(a, b map[uint32]bool) int {
	n := 0
	for h := range a {
		if b[h] {
			n++
		}
	}
	return n
}

func TestFeatures(t *testing.T) {
	// Words that share a stem share character n-grams; unrelated words do not.
	if n := shared(hashes("hurry"), hashes("hurried")); n < 1 {
		t.Errorf("hurry and hurried share %d features, want the n-grams of their stem", n)
	}
	if n := shared(hashes("hurry"), hashes("scone")); n != 0 {
		t.Errorf("hurry and scone share %d features", n)
	}
	// Every number is one word to the model.
	if n, m := shared(hashes("only", "2", "left"), hashes("only", "12", "left")), len(hashes("only", "2", "left")); n != m {
		t.Errorf("2 and 12 read differently: %d of %d features shared", n, m)
	}
	// A pair of words is a feature of its own, carried by the second word.
	fs := Append(nil, "en", [][]byte{[]byte("miss"), []byte("out")})
	pair := fs[len(hashes("miss"))+1]
	if pair.Word != 1 || hashes("miss")[pair.Hash] || hashes("out")[pair.Hash] {
		t.Errorf("the pair feature %+v", pair)
	}
}

func TestModelRoundTrip(t *testing.T) {
	m := &Model{
		Families: []string{"urgency", "guilt"}, Bias: []float32{-1, -2}, Threshold: []float32{0, 0.5},
		Index: map[uint32]int32{7: 0, 3: 1}, Weights: []float32{1.27, -0.5, 0, 2},
	}
	var buf bytes.Buffer
	if err := m.Write(&buf, []uint32{3, 7}); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b float32) bool { return a-b < 0.02 && b-a < 0.02 }
	if got.Families[1] != "guilt" || got.Bias[1] != -2 || got.Threshold[1] != 0.5 {
		t.Errorf("header %+v", got)
	}
	for h, row := range m.Index {
		g := got.Index[h]
		for f := range m.Families {
			if want, have := m.Weights[int(row)*2+f], got.Weights[int(g)*2+f]; !near(want, have) {
				t.Errorf("feature %d family %d: %v, want %v", h, f, have, want)
			}
		}
	}
	if _, err := Read(bytes.NewReader([]byte("not gzip"))); err == nil {
		t.Error("Read of garbage succeeded")
	}
}

// Words of one class share the class's features: a day is a day, whichever.
func TestClasses(t *testing.T) {
	if n := shared(hashes("on", "sunday", "night"), hashes("on", "tuesday", "night")); n < 3 {
		t.Errorf("on sunday night and on tuesday night share %d features, want the class and its pairs", n)
	}
	if n := shared(hashes("neighbours"), hashes("village")); n != 1 {
		t.Errorf("neighbours and village share %d features, want their class", n)
	}
	if n := shared(hashes("scone"), hashes("loaf")); n != 0 {
		t.Errorf("scone and loaf share %d features", n)
	}
}
