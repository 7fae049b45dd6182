// Package tone keeps courtesy's messages polite: it checks a message's
// wording, in the message's own language, and reports pushy, manipulative
// or creepy sentences with the words that carried them and what to write
// instead. Three readers share the work. Phrase rules (YAML, the same
// format a shop uses for its own) catch the set phrases of pressure.
// Structural rules (rules/structure.yaml and rules/<lang>/structure.yaml)
// read what a sentence does from its parts, whatever words fill them: a
// limit next to a loss, other people next to buying, "you" next to a
// watched behaviour and a time or place, a private category applied to the
// reader, a purchase inside a greeting, a shop made sad by the reader. A
// small learnt model per language reads the rest.
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
// A Checker's rules are fixed at New and it is safe for concurrent use.
// Patterns are compiled at New and indexed by their first one or two
// words; a check of a clean message does not allocate. Held, what the
// worker asks at send time, remembers the texts it passed by their shape
// (the text with the customer's values and links reduced to marks), so a
// campaign's thousands of messages are read once per variant and
// language; a text it holds is checked in full.
//
// # Languages
//
// Context.Lang, a BCP 47 tag, picks the rules by its base language ("pt"
// for "pt-BR"); empty means English. Languages lists those with rules: en,
// de, es, fr, it, nl, pt and sv. English rules are rules/*.yaml; every other
// language has rules/<lang>/ with its phrase rules for urgency, scarcity,
// guilt and tracking and its structural rules, and shares with English the
// rules that read no words
// (capitals, exclamation marks, emoji, the sender, the model rules). Rule
// ids are the same in every language, so disabling courteous.false-urgency
// disables it everywhere. A text in a language without rules is judged by
// the English ones and gets a courteous.language warning saying so; lint
// shows it, and Covers tells a caller in advance.
//
// # Structural rules
//
// Each family has one structural rule, with the same id in every language:
//
//   - courteous.deadline-pressure (urgency): a clock or a loss next to what
//     the reader should do ("your basket won't wait for you forever",
//     "until it's gone", "the price goes at 8pm sharp").
//   - courteous.social-pressure (scarcity): other people next to having
//     bought ("half the street has already ordered theirs"), or little left
//     ("we're down to the last few"); relaxed by stock_data.
//   - courteous.watched (creepy): "you" next to an observed behaviour
//     (viewed, came back to, opened, clicked, browsed, lingered) and a
//     time, place, device or count ("you came back to the lily page three
//     times on Sunday"), or "we saw you lingering".
//   - courteous.sensitive-guess (sensitive): a private category (health,
//     money, age, pregnancy, bereavement, relationships, religion,
//     sexuality) applied to the reader ("at your stage of life", "money a
//     bit tight?").
//   - courteous.greeting-sale (hard-sell, birthday and nps_survey only): a
//     purchase asked for inside a greeting or a survey, or a gift that must
//     be bought ("finish your birthday order and we'll add a surprise").
//   - courteous.guilt-trip (guilt): the shop sad, cold or empty because of
//     the reader ("the ovens feel cold without you").
//
// They are ordinary existence rules written with two pattern tools made for
// them: a file's words: (named lists, used as @name) and the gap .. (up to
// eight words of the same sentence). A finding quotes the sentence from its
// first part to its last and, in Words, the parts without the words between
// them ("won't wait", "forever"), so the marketer sees what carried it. The
// lists and patterns were written from the shapes such lines take, checked
// against the ordinary lines of every grammar, the dev sets and
// corpus/en.tsv (on which they raise nothing), written without sight of
// testdata/fresh and frozen before it was scored.
//
// # The model
//
// Each language has a logistic regression per family (urgency, scarcity,
// guilt, creepy, sensitive, hard-sell) over hashed words,
// pairs of neighbouring words and character n-grams of 3 to 5 bytes inside
// each word (internal/features), so "hurried" and "verpasst" are kin of
// words it learnt. A word of a structural lexicon (a day, a time of day, a
// device, a watched behaviour, other people, buying, a loss, sadness, a
// private matter) also gives its class, alone and paired with its
// neighbour, so "your neighbours ordered" reads like "the whole village
// bought"; only English has class lists so far. It reads every sentence of three or more words, and every
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
// distinct lines per family and 6,000 ordinary ones; corpus/en.tsv adds 587
// hand-written lines, seen five times each (-hand). Training is stochastic
// gradient descent in a seeded order, six passes, with every weight shrunk
// 5% a pass; weights under 0.02 in every family are dropped and the rest
// stored as int8 in model/<lang>.gz (111–123 KB). Each family's threshold
// is then set 0.5 above the highest score the model gives any sentence, or
// two neighbouring sentences, of a hand-written ordinary line (testdata/dev
// and the ordinary lines of corpus/en.tsv); the step prints the line each
// threshold was set above. One such line that reads like a family raises
// the threshold for every sentence, so an ordinary line the model errs on
// is answered with more ordinary lines like it in the corpus, not by
// moving the threshold. Running the step twice writes the same bytes.
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
// A rule file holds one rule, or a list under rules:, a list of ids to
// switch off under disable: and named lists of words under words:
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
// may use {match}, {with} (the substitution), {count}, {max} and {min}, and
// {words}: the words that carried the finding (for a pattern with a gap,
// its parts without the words between them).
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
//	..                 up to eight words of the same sentence, or none
//	                   (not first or last): "won't wait .. forever"
//	@name              the words: list of that name in the same file, as
//	                   alternatives: "{@soon}", "{@soon,at noon}", "@soon"
//
// A rule file may name lists of words or phrases once and use them in any
// of its patterns and exceptions:
//
//	words:
//	  soon: [tonight, at midnight, in an hour]
//	rules:
//	  - id: shop.no-deadline
//	    kind: existence
//	    message: '"{match}" hurries the reader.'
//	    tokens: ["{offer,price} .. {ends,expires} {@soon}"]
//
// Inside {…} or […] an @name stands alone between commas.
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
// Four sets of lines, all with the warm profile; a bad line counts as
// caught when a warning or error of its family is raised, an ordinary line
// as flagged when any warning or error is. Every figure below was printed
// by the test or step named beside it, on the rules and models as
// committed, except the split between rules and model, measured by checking
// each set with the one or the other switched off (a throwaway test, not
// kept).
//
// Training (what the model learnt from, so not a measure of anything new):
// `go generate ./tone` holds one drawn or hand-written line in ten out of
// training and reports the model alone on them, per family. de: urgency
// 301/302, scarcity 296/297, guilt 323/323, creepy 280/283, sensitive
// 294/294, hard-sell 293/293; ordinary read as a family 0/875; en: urgency
// 295/305, scarcity 319/344, guilt 318/328, creepy 305/310, sensitive
// 311/316, hard-sell 323/333; ordinary read as a family 0/961; es: urgency
// 281/281, scarcity 300/300, guilt 286/286, creepy 296/296, sensitive
// 305/305, hard-sell 330/330; ordinary read as a family 0/885; fr: urgency
// 303/303, scarcity 307/307, guilt 264/264, creepy 290/290, sensitive
// 273/273, hard-sell 347/347; ordinary read as a family 0/813; it: urgency
// 284/290, scarcity 305/305, guilt 319/319, creepy 303/303, sensitive
// 285/285, hard-sell 294/294; ordinary read as a family 0/814; nl: urgency
// 284/284, scarcity 294/294, guilt 314/314, creepy 325/325, sensitive
// 275/275, hard-sell 297/297; ordinary read as a family 1/813; pt: urgency
// 307/307, scarcity 312/312, guilt 334/334, creepy 309/309, sensitive
// 283/283, hard-sell 318/318; ordinary read as a family 0/845; sv: urgency
// 300/302, scarcity 283/285, guilt 315/316, creepy 325/325, sensitive
// 295/299, hard-sell 276/276; ordinary read as a family 1/852.
// corpus/en.tsv, 587 lines written by hand, 256 pushy and 331 ordinary (131
// and 130 that the English phrase rules were written against; 125 and 201
// written for the structural rules: pushy lines in shapes and idioms the
// phrase lists miss, and ordinary lines that share their words, among them
// the ones the model first erred on), is caught in full by the checker with
// no finding on an ordinary line (TestCorpus); testdata/dev/en.tsv adds 40
// pushy lines in other voices written to tune the structural rules
// (TestDev: all caught, and none of its ordinary lines flagged).
//
// Holdout (testdata/holdout, written by hand apart from the corpus and
// never trained or tuned on: in English 10 lines per family and 50
// ordinary; in the other languages 20 per family, sensitive and hard-sell
// included, and 60 to 65 ordinary, half of them written later, to a larger
// holdout. Factual shop lines are among the ordinary ones, such as "the
// tulips are in season until May", "vouchers work online and in the shop",
// "we close at six on Saturdays" and "Happy birthday, Ana — your free
// croissant is waiting whenever you drop by", which must pass). TestHoldout
// asserts the targets, recall of at least 0.9 per family and at most 2% of
// ordinary lines flagged, where they are reached: in English, in every
// family. Elsewhere they are not, and the test holds each family at the
// figure it reaches (holdoutShort):
//
//	lang  urgency scarcity guilt creepy shouting sensitive hard-sell  flagged
//	de      17/20    15/20 13/20  15/20    20/20     13/20     12/20     1/60
//	en       9/10    10/10  9/10  10/10     9/10      9/10     10/10     0/50
//	es      19/20    16/20 15/20  16/20    19/20     10/20      9/20     3/64
//	fr      15/20    16/20 16/20  15/20    20/20     10/20     10/20     4/65
//	it      14/20    14/20 17/20  16/20    20/20     10/20     10/20     2/62
//	nl      16/20    14/20 14/20  15/20    20/20     13/20     11/20     1/62
//	pt      14/20    12/20 14/20  15/20    19/20     13/20     10/20     1/62
//	sv      18/20    18/20 14/20  13/20    19/20      8/20      9/20     3/64
//
// Its figures were looked at while the rules and models were built (the
// counts, and the rule ids of the ordinary lines it flagged: every one is
// the model's, none a phrase or structural rule's), so they are optimistic.
// Outside English the targets are missed widely, most of all for sensitive
// and hard-sell, which those languages' models learnt only from their
// grammars and for which they have structural rules but no phrase rules.
//
// Paraphrases (testdata/paraphrase, written after an earlier model was
// frozen, in idioms and shapes unlike the corpus and the holdout: "Blink
// and you'll miss it", "We're down to the last couple of trays", "The ovens
// feel cold without you", "We clocked you lingering by the window"; 5 lines
// per family and 25 ordinary per language). The structural rules were
// written after these figures were known (the counts per family, and the
// first three English lines, urgency, read while looking at the file's
// columns; the rules cover their shapes), so they are no longer an unseen
// measure; TestParaphrases holds them at the figures below
// (paraphraseShort):
//
//	lang  urgency scarcity guilt creepy shouting sensitive hard-sell  flagged
//	de        4/5      5/5   4/5    2/5      5/5         -         -     4/25
//	en        4/5      3/5   4/5    4/5      5/5       3/5       5/5     0/25
//	es        3/5      3/5   1/5    2/5      5/5         -         -     1/25
//	fr        2/5      3/5   3/5    2/5      5/5         -         -     1/25
//	it        3/5      4/5   3/5    5/5      5/5         -         -     1/25
//	nl        3/5      2/5   3/5    4/5      5/5         -         -     2/25
//	pt        3/5      2/5   1/5    4/5      4/5         -         -     0/25
//	sv        2/5      3/5   2/5    4/5      5/5         -         -     0/25
//
// Over both sets and every language, shouting left out: the phrase and
// structural rules alone catch 273 of the 900 holdout lines and 20 of the
// 170 paraphrases and flag no ordinary line; the model alone catches 579
// and 99 and flags 15 of 489 and 9 of 200; together 631 (70%) and 105
// (62%), with the same 15 and 9 flagged. In English alone, the holdout
// meets every target.
//
// Fresh paraphrases (testdata/fresh, same columns as the holdout): written
// apart from the rules, by someone who did not see them, while the
// structural rules and the word classes were built; never read by whoever
// wrote the rules, and first scored after they were frozen. TestFresh
// holds each family at what it caught then (freshShort), so it can only
// get better. 15 lines per family and 42 ordinary per language; scored
// after the last regeneration of the models:
//
//	lang  urgency scarcity guilt creepy shouting sensitive hard-sell  flagged
//	de      10/15     7/15 11/15   9/15    15/15      6/15      8/15     4/42
//	en       5/15    11/15  9/15  14/15    14/15     10/15     10/15     4/42
//	es      11/15    10/15 11/15  10/15    15/15      5/15      9/15     1/42
//	fr      11/15    11/15 12/15   8/15    15/15      8/15      7/15     5/42
//	it       9/15    10/15 10/15  11/15    15/15      8/15      9/15     3/42
//	nl      11/15    11/15  8/15  12/15    14/15      9/15      8/15     3/42
//	pt      10/15     7/15  8/15  10/15    15/15      9/15      8/15     2/42
//	sv      10/15    10/15 10/15  10/15    14/15      8/15      7/15     1/42
//
// The fresh lines miss the targets in every language and almost every
// family; only shouting and English creepy (14 of 15) reach 0.9. Shouting
// left out, 446 of 720 pushy lines are caught (62%), 59 of 90 in English
// (66%), and 23 of 336 ordinary lines are flagged (6.8%; English 4 of 42):
// 21 by the model, 2 by the fake-scarcity phrase rule, none by a structural
// rule. The phrase and structural rules alone catch 129 of the 720, the
// model alone 405. This, not the holdout, is the honest measure of a pushy
// line written by someone the rules never saw: the structural rules add
// precision, never an ordinary line flagged in any set, but much less
// recall than the targets ask, and the learnt models flag too many ordinary
// lines outside the dev sets their thresholds were set on.
//
// BenchmarkCheck checks a 1 KB birthday greeting with every built-in rule
// and the model; BenchmarkCheckLanguages does the same for each language's
// rules. With the models of the first merge of the other languages' lines,
// on the shared 2-core machine under a load average of 7–10, 500 checks a
// run, two runs: 385–437 µs per 1 KB English message (126–188 µs for a
// binary from before the structural rules, run alternately), 338–514 µs
// with six findings and 78–333 µs in the other languages; under the 1 ms
// per 1 KB message the checker must stay below. Figures and how they were
// taken are in docs/PERFORMANCE.md.
package tone
