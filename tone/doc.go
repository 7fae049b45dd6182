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
// The weights are trained by `go generate ./tone` (internal/train) from
// three kinds of lines. The grammars in corpus/<lang>.txt, hand-written
// fragments in many voices, expand with a seed taken from the file and
// section names into 3,000 distinct lines per family and 6,000 ordinary
// ones. corpus/en.tsv holds 587 lines the English rules are held to.
// corpus/voices/<lang>.tsv holds lines written whole, as marketers write
// them, in many voices (greetings, reminders, surveys, shop news,
// apologies, service messages): 1,320 pushy lines (220 per family) and
// about 1,320 ordinary ones per language, 960 and 960 in Italian, more
// than half of the ordinary ones sharing words with a family while doing
// nothing wrong ("we close at six on Saturdays", "no thanks" as a plain
// way out, "our large-print calendars"). They were written in two rounds
// by writers who saw neither the rules, the models nor the test sets,
// the second round weighted to guilt, hard-sell, sensitive and scarcity;
// within a round some languages were adapted from one another rather than
// written apart. Hand-written lines are seen five times a pass (-hand).
// One line in ten, chosen by a hash of its text, is held out of training
// (TestVoicesHeldOut scores the checker on those of voices/).
//
// Training is stochastic gradient descent in a seeded order, six passes,
// with every weight shrunk 5% a pass; weights under 0.02 in every family
// are dropped and the rest stored as int8 in model/<lang>.gz (241–297
// KB). Each family's threshold is then set 0.5 above the highest score
// the model gives any sentence, or two neighbouring sentences, of a
// hand-written ordinary line (testdata/dev, every ordinary line of
// corpus/en.tsv, and the ordinary lines of voices/ it learnt from); the
// step prints the line each threshold was set above. One such line that
// reads like a family raises the threshold for every sentence, so an
// ordinary line the model errs on is answered with more ordinary lines
// like it in the corpus, not by moving the threshold: "Bring the whole
// family; there are high chairs in the café" once set English scarcity at
// 9.3, and five ordinary lines like it took the threshold back to 0.
// Running the step twice writes the same bytes.
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
// All with the warm profile. A pushy line counts as caught when a warning
// or error of its family is raised, an ordinary line as flagged when any
// warning or error is. Every figure was printed by the test named beside
// it, on the rules and models as committed. The tests hold each set where
// it stands: a family that reaches the targets (recall 0.9, at most 2% of
// ordinary lines flagged) must stay there, and every other family, listed
// in the set's map in corpus_test.go, must catch at least as many lines
// and flag no more ordinary ones than it does now.
//
// The targets are met in no language on unseen lines. Shouting left out,
// the checker with the models before corpus/voices, after its first round
// and as committed (the second round and the lines for the thresholds):
//
//	set                                   before          first round     now
//	holdout (900 pushy, 489 ordinary)     631 (70%) 3.1%  696 (77%) 2.2%  724 (80%) 2.5%
//	paraphrases (170, 200)                105 (62%) 4.5%  128 (75%) 4.5%  129 (76%) 2.0%
//	fresh (720, 336)                      446 (62%) 6.8%  527 (73%) 6.5%  553 (77%) 7.1%
//	blind (960, 480)                      477 (50%) 11.0% 640 (67%) 7.7%  706 (74%) 7.1%
//	blind2 (576, 288)                     240 (42%) 6.6%  330 (57%) 7.3%  392 (68%) 4.2%
//	voices held out (1,011, 946)          -               638 (63%) 8.6%  710 (70%) 8.2%
//
// The blind sets are the honest measure. testdata/blind was written
// beside the first round of voices, by someone who saw neither the rules,
// the models nor the corpora, and first scored with the models of that
// round (640, 7.7%); testdata/blind2 was written the same way beside the
// second round and first scored with its models (390, 3.8%); the models
// committed were retrained once more after that, with ordinary lines only
// (eight form-letter lines, after a unit test found "Dear valued customer,
// please click here" read as guilt, and the fifteen lines for the
// thresholds above). Nothing was tuned on either blind set. Their writers
// said that many lines follow one scenario across languages, so the
// figures of different languages are not independent samples. The holdout,
// paraphrases and fresh sets were scored while earlier rules and models
// were built, so they flatter.
//
// Per language, as committed (TestHoldout, TestParaphrases, TestFresh,
// TestBlind, TestBlind2, TestVoicesHeldOut):
//
// Holdout (testdata/holdout: in English 10 lines per family and 50
// ordinary, elsewhere 20 and 60 to 65, written by hand apart from the
// corpus; factual shop lines such as "the tulips are in season until May"
// among the ordinary ones). English meets the targets in every family but
// hard-sell (8 of 10); before the voices it met them in all.
//
//	lang  urgency scarcity guilt creepy shouting sensitive hard-sell  flagged
//	de      17/20    18/20 17/20  18/20    20/20     14/20     12/20     1/60
//	en       9/10    10/10 10/10  10/10     9/10      9/10      8/10     0/50
//	es      19/20    17/20 17/20  17/20    19/20     16/20     14/20     1/64
//	fr      16/20    18/20 17/20  18/20    20/20     17/20     12/20     4/65
//	it      17/20    17/20 16/20  19/20    20/20     15/20     12/20     1/62
//	nl      18/20    16/20 17/20  15/20    20/20     13/20     12/20     0/62
//	pt      17/20    17/20 15/20  16/20    19/20     15/20      9/20     3/62
//	sv      17/20    19/20 17/20  17/20    19/20     15/20     13/20     2/64
//
// Paraphrases (testdata/paraphrase, 5 lines per family and 25 ordinary,
// written after an earlier model was frozen; the structural rules were
// written knowing their counts):
//
//	lang  urgency scarcity guilt creepy shouting sensitive hard-sell  flagged
//	de        4/5      3/5   4/5    4/5      5/5         -         -     0/25
//	en        4/5      4/5   4/5    4/5      5/5       4/5       5/5     0/25
//	es        3/5      5/5   3/5    4/5      5/5         -         -     1/25
//	fr        2/5      3/5   5/5    5/5      5/5         -         -     0/25
//	it        3/5      3/5   3/5    5/5      5/5         -         -     1/25
//	nl        3/5      3/5   4/5    5/5      5/5         -         -     1/25
//	pt        3/5      4/5   4/5    3/5      4/5         -         -     0/25
//	sv        3/5      4/5   5/5    4/5      5/5         -         -     1/25
//
// Fresh (testdata/fresh, 15 per family and 42 ordinary, written apart from
// the structural rules and first scored after they were frozen):
//
//	lang  urgency scarcity guilt creepy shouting sensitive hard-sell  flagged
//	de      12/15     9/15 13/15  11/15    15/15     14/15      9/15     3/42
//	en       8/15    11/15 10/15  15/15    14/15     12/15     13/15     3/42
//	es      13/15    11/15 12/15  11/15    15/15     12/15     11/15     3/42
//	fr      13/15    10/15 15/15  11/15    15/15     12/15      9/15     4/42
//	it      13/15    13/15 12/15  12/15    15/15     13/15     11/15     4/42
//	nl      12/15    12/15  8/15  13/15    14/15     12/15     12/15     4/42
//	pt       9/15    13/15  8/15  11/15    15/15     12/15     12/15     2/42
//	sv      10/15    11/15 13/15  11/15    14/15     13/15     10/15     1/42
//
// Blind (testdata/blind, 20 per family and 60 ordinary):
//
//	lang  urgency scarcity guilt creepy shouting sensitive hard-sell  flagged
//	de      13/20    17/20 14/20  17/20    20/20     17/20     13/20     4/60
//	en      18/20    15/20 15/20  19/20    20/20     17/20     12/20     4/60
//	es      18/20    16/20 16/20  19/20    20/20     16/20     12/20     7/60
//	fr      13/20    13/20 12/20  19/20    20/20     12/20     12/20     3/60
//	it      17/20    13/20 15/20  17/20    15/20     14/20     11/20     4/60
//	nl      17/20    16/20 14/20  17/20    15/20     12/20     12/20     6/60
//	pt      19/20    15/20 10/20  16/20    15/20     15/20     11/20     2/60
//	sv      12/20    16/20 11/20  19/20    15/20     12/20     10/20     4/60
//
// Blind 2 (testdata/blind2, 12 per family and 36 ordinary, no shouting):
//
//	lang  urgency scarcity guilt creepy shouting sensitive hard-sell  flagged
//	de       9/12     9/12  9/12  10/12        -      7/12      7/12     1/36
//	en      11/12     7/12 10/12  11/12        -     10/12      7/12     2/36
//	es      10/12    10/12  8/12   8/12        -      5/12      5/12     3/36
//	fr       5/12     9/12 10/12  11/12        -      7/12      7/12     0/36
//	it       7/12     8/12  9/12  10/12        -      7/12      8/12     2/36
//	nl       9/12     6/12  5/12   8/12        -      8/12      6/12     2/36
//	pt       9/12     7/12  6/12   9/12        -     10/12      6/12     2/36
//	sv       9/12    10/12  8/12   9/12        -     10/12      6/12     0/36
//
// Voices held out (the tenth of corpus/voices kept out of training):
//
//	lang  urgency scarcity guilt creepy shouting sensitive hard-sell  flagged
//	de      14/17    11/19 11/20  20/28        -     17/28     11/21   13/134
//	en      13/14    22/28  9/22  19/22        -     13/21     24/29    6/114
//	es      14/20    15/16 13/19  14/14        -     13/23     11/20    9/102
//	fr      15/20    18/26 15/20  21/25        -     17/21     18/28   10/128
//	it      13/18    14/18  9/14   6/12        -      9/14     10/14     5/83
//	nl      20/23    13/19  9/20  13/19        -     13/19     15/21   12/142
//	pt      11/14    10/20 22/25  26/30        -     13/28     19/31   13/108
//	sv      15/19    16/21 12/26  20/23        -     15/20     19/22   10/135
//
// corpus/en.tsv is caught in full with no finding on an ordinary line
// (TestCorpus); testdata/dev, the English lines the structural rules were
// tuned on, flags none of its 450 ordinary lines (TestDev).
//
// What misses is mostly the model. Of the 78 held-out ordinary voices
// lines flagged, 69 are the model's, spread over every family ("We've
// added two more yoga classes because so many people asked" read as
// scarcity, "step-through bikes ... handy for easy mounting" as a guess at
// the reader's body); the phrase and structural rules flag 9
// (greeting-sale 4, caps-word 3 for a "reply STOP", watched and
// sensitive-guess one each: "We're sorry for your loss" beside a funeral
// order). A linear model over words and n-grams learnt from some 1,300
// written lines per language reads the surface of a sentence, and unseen
// wording still escapes it a quarter of the time.
//
// Speed: BenchmarkCheck checks a 1 KB birthday greeting with every
// built-in rule and the model, BenchmarkCheckLanguages does the same in
// each language, and BenchmarkHeld is the send-time check of a campaign's
// messages, passed from memory. On the 2-core machine, load under 1, 500
// checks a run, two runs: 102–105 µs per 1 KB English message, 127–131 µs
// with six findings, 55–78 µs in the other languages, and 4.8–5.7 µs for
// Held; well under the 1 ms the checker must stay below. New, which reads
// the eight models once per process, takes 12 ms. docs/PERFORMANCE.md
// has the pipeline's figures.
package tone
