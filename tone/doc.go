// Package tone keeps courtesy's messages polite: it checks a message's
// wording, in the message's own language, and reports pushy, manipulative
// or creepy sentences with the words that carried them and what to write
// instead. Phrase rules (YAML, the same format a shop uses for its own) say
// precisely what is wrong; a small learnt model per language reads what a
// sentence does when its words are not on any list.
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
// customer data: the shouting rules ignore them, the model does not read
// them, and a pattern match made only of them is not reported, because the
// shop did not write them.
//
// A Checker is immutable after New and safe for concurrent use. Patterns
// are compiled at New and indexed by their first one or two words; a check
// of a clean message does not allocate.
//
// # Languages
//
// Context.Lang, a BCP 47 tag, picks the rules by its base language ("pt"
// for "pt-BR"); empty means English. Languages lists those with rules: en,
// de, es, fr, it, nl, pt and sv. English rules are rules/*.yaml; every other
// language has rules/<lang>/ with its phrase rules for urgency, scarcity,
// guilt and tracking, and shares with English the rules that read no words
// (capitals, exclamation marks, emoji, the sender, the model rules). Rule
// ids are the same in every language, so disabling courteous.false-urgency
// disables it everywhere. A text in a language without rules is judged by
// the English ones and gets a courteous.language warning saying so; lint
// shows it, and Covers tells a caller in advance.
//
// # The model
//
// Each language has a logistic regression per family (urgency, scarcity,
// guilt, creepy; English also sensitive and hard-sell) over hashed words,
// pairs of neighbouring words and character n-grams of 3 to 5 bytes inside
// each word (internal/features), so "hurried" and "verpasst" are kin of
// words it learnt. It reads every sentence of three or more words, and every
// two neighbouring sentences together (a guilt trip often takes two). A
// sentence whose score passes the family's threshold is a finding of the
// rule of kind model for that family (rules/model.yaml): its Words are the
// up to three words that pushed the score up most, its message says how to
// say it courteously, and a shop can disable it or change its severity like
// any rule. Where a phrase rule of the same family fired on the same words,
// or a shop's exception to one covers them, the phrase rule speaks instead.
//
// The weights are trained by `go generate ./tone` (internal/train): the
// grammars in corpus/<lang>.txt, hand-written fragments in many voices
// (greetings, reminders, surveys, shop news, apologies, service messages),
// expand with a seed taken from the file and section names into 3,000
// distinct lines per family and 6,000 ordinary ones; corpus/en.tsv adds 261
// hand-written lines, seen five times each. Training is stochastic gradient
// descent in a seeded order, six passes, with every weight shrunk 5% a pass;
// weights under 0.02 in every family are dropped and the rest stored as int8
// in model/<lang>.gz (70–110 KB). Each family's threshold is then set 0.5
// above the highest score the model gives any sentence, or two neighbouring
// sentences, of a hand-written ordinary line (testdata/dev and the ordinary
// lines of corpus/en.tsv). Running the step twice writes the same bytes.
//
// # Switching off per campaign
//
// Context.Allow lists rules (by id) or families a campaign switched off,
// each with the shop's reason (campaign YAML tone_allow). Their findings are
// still returned, as suggestions whose Allowed field carries the reason, so
// lint shows what was allowed and why while the worker sends.
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
// Four sets of lines, all with the warm profile; a bad line counts as caught
// when a warning or error of its family is raised, an ordinary line as
// flagged when any warning or error is.
//
// Training (what the model learnt from, so not a measure of anything new):
// on the one line in ten of the drawn lines held out of training, every
// family catches 97–100% of its lines in every language and no ordinary line
// is read as a family. corpus/en.tsv, 131 bad and 130 good lines that the
// English phrase rules were written against, is caught in full with no
// finding on a good line (TestCorpus).
//
// Holdout (testdata/holdout, written by hand for this purpose in every
// language before any model was trained: 10 lines per family and 50
// ordinary lines per language, factual shop lines among them such as "the
// tulips are in season until May", "vouchers work online and in the shop",
// "we close at six on Saturdays" and "Happy birthday, Ana — your free
// croissant is waiting whenever you drop by", which must pass). TestHoldout
// asserts the targets, recall of at least 0.9 per family and at most 2% of
// ordinary lines flagged, and holds the two families that miss at their
// figure:
//
//	lang  urgency scarcity guilt creepy shouting sensitive hard-sell  flagged
//	de      10/10    10/10 10/10  10/10    10/10         -         -     0/50
//	en       7/10    10/10  9/10  10/10     9/10      8/10     10/10     0/50
//	es      10/10    10/10 10/10  10/10    10/10         -         -     0/50
//	fr      10/10    10/10  9/10  10/10    10/10         -         -     1/50
//	it      10/10    10/10 10/10   9/10    10/10         -         -     1/50
//	nl      10/10    10/10 10/10  10/10    10/10         -         -     0/50
//	pt      10/10    10/10 10/10  10/10    10/10         -         -     1/50
//	sv      10/10    10/10 10/10   9/10    10/10         -         -     0/50
//
// The holdout was not trained on, but it was looked at while the model was
// built: the English figures after each change, the other languages' counts
// and the rule ids of the ordinary lines they flagged, and the grammars
// gained ordinary sentence shapes (thanks for a survey answer, a bare
// greeting, "we hope you are too") after such looks. Its figures are
// therefore optimistic.
//
// Paraphrases (testdata/paraphrase, written after the model was frozen, in
// idioms and shapes unlike the corpus and the holdout: "Blink and you'll
// miss it", "We're down to the last couple of trays", "The ovens feel cold
// without you", "We clocked you lingering by the window"; 5 lines per family
// and 25 ordinary per language) are the honest measure, and they miss the
// targets widely:
//
//	lang  urgency scarcity guilt creepy shouting sensitive hard-sell  flagged
//	de        3/5      3/5   3/5    3/5      5/5         -         -     1/25
//	en        0/5      1/5   1/5    4/5      5/5       5/5       5/5     0/25
//	es        2/5      2/5   1/5    4/5      5/5         -         -     2/25
//	fr        2/5      3/5   3/5    2/5      5/5         -         -     2/25
//	it        1/5      2/5   2/5    3/5      5/5         -         -     0/25
//	nl        2/5      1/5   4/5    3/5      5/5         -         -     1/25
//	pt        2/5      1/5   2/5    3/5      4/5         -         -     0/25
//	sv        1/5      2/5   2/5    4/5      5/5         -         -     0/25
//
// TestParaphrases holds these figures so they can only improve. The model
// learns the fragments of its grammars well and idioms it has never seen
// poorly: 48% of the paraphrased bad lines are caught (82 of 170, shouting
// left out) against 97% of the holdout's (331 of 340), and 6 of 200
// ordinary paraphrases are flagged. The phrase rules alone catch 154 of the
// 340 holdout lines and 4 of the 170 paraphrases with no ordinary line
// flagged; the model alone catches 322 and 80 with the same 3 and 6 flagged.
// A shop that sees pushy wording get through should add a phrase rule, and
// lint shows every finding before anything is sent.
//
// BenchmarkCheck checks a 1 KB birthday greeting with every built-in rule
// and the model; BenchmarkCheckLanguages does the same for each language's
// rules. Figures are in docs/PERFORMANCE.md.
package tone
