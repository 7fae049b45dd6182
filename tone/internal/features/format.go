package features

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
)

// Model is a linear model over features, one weight vector per family.
// Family f's score of a sentence is Bias[f] plus the weights of its
// features; the sentence reads as f when the score is above Threshold[f].
type Model struct {
	Families  []string
	Bias      []float32
	Threshold []float32
	// Index maps a feature hash to its row in Weights, which holds
	// len(Families) weights per row.
	Index   map[uint32]int32
	Weights []float32
}

// magic starts a model file; the digit is the format's version.
const magic = "courtesy-tone-model-1\n"

// Write writes m compressed. Rows are written in the order of keys so the
// same model always makes the same bytes.
func (m *Model) Write(w io.Writer, keys []uint32) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	le := binary.LittleEndian
	bw.WriteString(magic)
	bw.WriteString(strings.Join(m.Families, ",") + "\n")
	for f := range m.Families {
		binary.Write(bw, le, m.Bias[f])
		binary.Write(bw, le, m.Threshold[f])
	}
	// Weights are stored as int8 with one scale per family: the model is
	// a thousandth of its float size and scores move by well under 1%.
	scale := make([]float32, len(m.Families))
	for _, k := range keys {
		row := m.Index[k]
		for f := range m.Families {
			scale[f] = max(scale[f], float32(math.Abs(float64(m.Weights[int(row)*len(m.Families)+f]))))
		}
	}
	for f := range scale {
		scale[f] /= 127
		if scale[f] == 0 {
			scale[f] = 1
		}
		binary.Write(bw, le, scale[f])
	}
	binary.Write(bw, le, uint32(len(keys)))
	for _, k := range keys {
		binary.Write(bw, le, k)
		row := m.Index[k]
		for f := range m.Families {
			q := math.Round(float64(m.Weights[int(row)*len(m.Families)+f] / scale[f]))
			bw.WriteByte(byte(int8(q)))
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// Read reads a model written by Write.
func Read(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("tone model: %w", err)
	}
	br := bufio.NewReader(zr)
	head, err := br.ReadString('\n')
	if err != nil || head != magic {
		return nil, fmt.Errorf("tone model: not a model file")
	}
	fams, err := br.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("tone model: %w", err)
	}
	m := &Model{Families: strings.Split(strings.TrimSuffix(fams, "\n"), ",")}
	nf := len(m.Families)
	le := binary.LittleEndian
	m.Bias, m.Threshold = make([]float32, nf), make([]float32, nf)
	for f := 0; f < nf; f++ {
		binary.Read(br, le, &m.Bias[f])
		binary.Read(br, le, &m.Threshold[f])
	}
	scale := make([]float32, nf)
	for f := range scale {
		binary.Read(br, le, &scale[f])
	}
	var n uint32
	if err := binary.Read(br, le, &n); err != nil {
		return nil, fmt.Errorf("tone model: %w", err)
	}
	m.Index = make(map[uint32]int32, n)
	m.Weights = make([]float32, int(n)*nf)
	row := make([]byte, 4+nf)
	for i := 0; i < int(n); i++ {
		if _, err := io.ReadFull(br, row); err != nil {
			return nil, fmt.Errorf("tone model: %w", err)
		}
		m.Index[le.Uint32(row)] = int32(i)
		for f := 0; f < nf; f++ {
			m.Weights[i*nf+f] = float32(int8(row[4+f])) * scale[f]
		}
	}
	return m, nil
}
