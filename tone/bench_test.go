package tone

import (
	"strings"
	"testing"
)

// typicalMessage is a birthday greeting of about 1 KB, as a bakery writes it.
func typicalMessage() string {
	return strings.TrimSpace(`
Happy birthday, Anna!

Everyone at Crumb & Co. hopes you have a lovely day. To celebrate, there is a
free slice of cake waiting for you at the counter: lemon drizzle, chocolate
fudge or the carrot cake with walnuts, whichever you like best. Just show this
email when you pop in, any day this week.

Our Mill Lane shop is open from 8 until 4, Tuesday to Sunday, and the café
upstairs serves soup and fresh bread at lunchtime. If you would rather take your
slice home, we will wrap it for you in a little box.

This month we have also started baking a seeded rye on Saturdays, made with
flour from the mill at Stoke Row, and our sourdough starter turned forty, so
the bakers are in a good mood. We hope you are too.

Thank you for being one of our regulars. It means a great deal to a small
bakery to see familiar faces at the counter, and we are glad you are one of them.

Wishing you a happy year ahead,
the bakers at Crumb & Co.

You can change what you hear from us, or stop hearing from us, at any time
with the links below.`)
}

// BenchmarkCheck checks a clean message, the common case: its allocs/op is
// the figure to watch (pooled buffers keep it to one or none; run without
// -race, which makes sync.Pool drop items on purpose).
func BenchmarkCheck(b *testing.B) {
	c := MustNew(b, "warm")
	ctx := Context{Kind: "birthday", BusinessName: "Crumb & Co.", Personal: []string{"Anna"}}
	text := typicalMessage()
	if got := c.Check(ctx, text); len(got) != 0 {
		b.Fatalf("the typical message raised %v", rulesOf(got))
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		c.Check(ctx, text)
	}
}

func BenchmarkCheckWithFindings(b *testing.B) {
	c := MustNew(b, "warm")
	ctx := Context{Kind: "birthday", BusinessName: "Crumb & Co."}
	text := typicalMessage() + "\nLAST CHANCE!!! Only 2 left, hurry."
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		c.Check(ctx, text)
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		MustNew(b, "warm")
	}
}

// BenchmarkCheckLanguages checks the same 1 KB message with each language's
// rules and model: the cost is the reading, whatever the language.
func BenchmarkCheckLanguages(b *testing.B) {
	c := MustNew(b, "warm")
	text := typicalMessage()
	for _, lang := range Languages() {
		b.Run(lang, func(b *testing.B) {
			ctx := Context{Kind: "birthday", BusinessName: "Crumb & Co.", Personal: []string{"Anna"}, Lang: lang}
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				c.Check(ctx, text)
			}
		})
	}
}

// BenchmarkHeld is the send-time check of a campaign's messages: the same
// 1 KB greeting to customers of different names, each with a link of its
// own, so every text differs and all but the first are passed from memory.
func BenchmarkHeld(b *testing.B) {
	c := MustNew(b, "warm")
	names := []string{"Anna", "Bernadette", "Chidi", "Dolores", "Emil", "Farah", "Gustav", "Hana"}
	texts := make([]string, len(names))
	ctxs := make([]Context, len(names))
	for i, n := range names {
		texts[i] = strings.Replace(typicalMessage(), "Anna", n, -1) +
			"\nUnsubscribe: https://crumb.example/u/" + strings.Repeat(string(rune('a'+i)), 40) + "\n"
		ctxs[i] = Context{Kind: "birthday", BusinessName: "Crumb & Co.", Personal: []string{n}}
	}
	if _, held := c.Held(ctxs[0], texts[0]); held {
		b.Fatal("the typical message was held")
	}
	b.SetBytes(int64(len(texts[0])))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Held(ctxs[i%len(names)], texts[i%len(names)])
		i++
	}
}
