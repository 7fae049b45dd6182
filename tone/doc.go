// Package tone keeps courtesy's messages polite: it checks a message's
// wording against tone rules and reports pushy, manipulative or creepy
// phrasing with why it is a problem and what to write instead. The rules are
// YAML files; the built-in "courteous" rules are embedded files in the same
// format a shop uses for its own.
//
// # Checking
//
// New builds a Checker for a profile (warm, neutral or informative) plus a
// shop's own rules. Check takes the rendered subject and body at send time;
// CheckTemplate takes template source, masking every {{…}} action with
// spaces of the same length so that line and column are those of the file.
// A masked action that prints a value stands for one unknown word (it
// matches the * and # pattern atoms and nothing else); control actions such
// as {{if}} print nothing. Context.Personal lists values substituted from
// customer data: the shouting rules ignore them, and a pattern match made
// only of them is not reported, because the shop did not write them.
//
// A Checker is immutable after New and safe for concurrent use. Patterns
// are compiled at New and indexed by their first one or two words; a check
// of a clean message does not allocate.
//
// # Rule files
//
// A rule file holds one rule, or a list under rules: and a list of ids to
// switch off under disable:
//
//	disable: [courteous.emoji]
//	rules:
//	  - id: shop.no-cheap                # lower-case words joined by . or -
//	    kind: existence                  # existence|substitution|occurrence|ratio|required
//	    family: wording                  # groups findings in reports; default custom
//	    severity: warning                # error holds the message, warning is logged,
//	                                     # suggestion is shown by lint only; default warning
//	    message: '"{match}" undersells the bread; say "good value".'
//	    tokens: ["cheap~"]               # or patterns:
//	    exceptions: ["cheap and cheerful"]
//	    kinds: [birthday, nps_survey]    # campaign kinds it applies to; default all
//	    unless: [stock_data]             # switched off when the campaign declares stock numbers
//	  - id: courteous.false-urgency      # a built-in id without a kind changes only
//	    severity: warning                # the fields given; exceptions are added
//	    exceptions: ["last chance to see"]
//
// A rule with a built-in id and a kind replaces the built-in rule. Messages
// may use {match}, {with} (the substitution), {count}, {max} and {min}.
//
// Kinds:
//
//   - existence: every match of tokens is a finding.
//   - substitution: swap maps wording to avoid to wording to use; each
//     match is a finding whose Suggestion is the replacement.
//   - occurrence: counts its scope (tokens, exclamation, exclamation-run,
//     caps-word or emoji) and reports each occurrence past max, or one
//     finding when there are fewer than min. "!!!" is one exclamation; a
//     caps-word is a word of four or more letters written in capitals only.
//   - ratio: scope capitals, the share of capital letters among the
//     letters of the text's own words (not personal values, not template
//     actions, not codes with digits such as postcodes), judged once there
//     are at least sample letters (default 20); max and min are fractions.
//   - required: scope sender needs the business's name (its first two words,
//     in any case, or a {{.Business.Name}} action); scope tokens needs a
//     match of one of its tokens.
//
// LoadRules reports every problem as a diagnostic with file and line.
//
// # Patterns
//
// Patterns match whole words, case-folded, within one sentence:
// punctuation and single line breaks between words are ignored, but '.',
// '!', '?' and blank lines end a sentence. A word is a run of letters,
// digits and combining marks, so "café", "straße" and "naïve" are words and
// emoji and punctuation are boundaries. An apostrophe inside a word belongs
// to it and ’ equals ', so "don't" matches "Don’t" and "only today" does not
// match "only today's". A hyphen separates words ("weight loss" matches
// "weight-loss"); a '.' or ',' between digits joins them ("2.50" and
// "1,000" are one word). The signs % £ $ € are words of their own.
//
//	act now            the words in a row
//	{act,acts,acting}  one of the alternatives; an alternative may be several
//	                   words: {do not,don't}
//	[so,really]        optional: one of the alternatives, or nothing
//	hurr~              a stem: any word that starts with "hurr"
//	#                  a number: 2, 40th, 2am, 2.50, or two … twenty, dozen
//	*                  any one word (not first)
//
// # Profiles
//
// The courteous rules catch false urgency and countdowns, fake scarcity
// (relaxed by stock_data), guilt and confirmshaming, shouting (capitals,
// stacked and frequent exclamation marks, emoji), tracking exposed to the
// customer, sensitive inferences (health, pregnancy, money, religion, age,
// body), a hard sell or score coaching inside a birthday greeting or a
// survey, form-letter wording, and a message that does not name its sender.
// The profiles differ in limits: warm allows three exclamation marks and
// three emoji, neutral two and one with capitals at most 25% of letters,
// informative one and none with capitals at most 20%.
//
// # Measured
//
// testdata/corpus.tsv holds 261 labelled lines of bakery and shop copy (131
// bad, 130 good, including lines written to trip the rules: "Hurricane
// season…", "Our bread is now gluten-free", "Happy 1st anniversary of your
// loyalty card", "Only today's bread is used…", "Our sourdough starter is 40
// years old"). TestCorpus asserts recall of at least 0.9 per family and no
// finding at all on a good line; with the warm profile it measures (a line
// counts once per family that fired on it; precision below 1 is a bad line
// of another family also caught by this one):
//
//	family     bad  caught  precision  recall
//	creepy      18      18       1.00    1.00
//	guilt       19      19       1.00    1.00
//	hard-sell   18      18       1.00    1.00
//	scarcity    18      18       0.95    1.00
//	sensitive   20      20       1.00    1.00
//	shouting    17      17       0.94    1.00
//	urgency     21      21       0.95    1.00
//	good lines with a finding: 0 of 130
//
// Those figures are on lines the rules were written against. Lines written
// afterwards and not used for tuning (testdata/holdout.tsv, reported by
// TestHoldout) show what phrase lists do with unseen wording: 10 of 35 bad
// lines caught (recall 0.29; shouting 4/5, scarcity 2/5, sensitive 2/5,
// creepy 1/5, urgency 1/5, guilt 0/5, hard-sell 0/5) and 15 of 15 good lines
// clean. An earlier unseen set caught 12 of 28 before its lines joined the
// corpus. The rules are precise on the phrases they list and miss
// paraphrases; a shop that sees a pushy phrase get through should add it as
// a rule, and lint shows every finding before anything is sent.
//
// BenchmarkCheck checks a 1 KB birthday greeting with every built-in rule:
// 0 allocations and 65–111 µs per check (ns/op 65,000–111,000) on a shared
// 2-core machine under a load average of about 9; measured as CPU time of
// the checking thread, about 60 µs. A message with findings allocates for
// them (about 140 allocations for six findings). New takes about 4.5 ms.
package tone
