package features

import "strings"

// classes gives words the class they stand for in what a sentence does: a
// day, a time of day, a device, a watched behaviour, other people, buying,
// a loss, sadness, a private matter. The model then learns "half the
// street ordered" from "the whole village bought", and "on Sunday at 2am"
// from "on Tuesday at midnight", beyond the words its corpus happened to
// use. The lists are the structural lexicons of rules/structure.yaml, one
// word each, per language: a word stands for a class only in its own
// language, and a language without lists reads words alone.
var classes = map[string]map[string]string{}

func init() {
	addClass("en", "day", `monday tuesday wednesday thursday friday saturday sunday weekend`)
	addClass("en", "hour", `tonight midnight noon morning evening night overnight`)
	addClass("en", "span", `hours hour minutes minute seconds mins hrs`)
	addClass("en", "device", `phone mobile tablet laptop ipad iphone computer desktop app browser`)
	addClass("en", "watch", `viewed browsed clicked lingered lingering hovered hovering scrolled scrolling eyed eyeing peeked peeking revisited stared staring gazed loitered zoomed`)
	addClass("en", "crowd", `neighbours neighbors neighbourhood everyone everybody regulars others street village town colleagues friends customers people shoppers hundreds dozens thousands`)
	addClass("en", "bought", `ordered bought booked grabbed snapped reserved claimed joined secured nabbed bagged preordered`)
	addClass("en", "loss", `gone lose lost miss missed forfeit expires expire expired vanishes vanish disappears disappear history regret`)
	addClass("en", "sad", `sad lonely empty cold quiet gloomy glum dull forlorn tearful crying sulking moping pining heartbroken brokenhearted abandoned forgotten neglected ignored ghosted`)
	addClass("en", "private", `budget skint broke overdraft debt debts payday pregnant pregnancy trimester divorce divorced widowed widow widower bereavement bereaved grief grieving mourning funeral diabetes diabetic cholesterol arthritis menopause anxiety depression insomnia chemo cancer diagnosis illness weight waistline wrinkles retired retirement pension pensioner lonely religion faith church mosque synagogue ramadan sexuality`)
}

// addClass files words under class in lang.
func addClass(lang, class, words string) {
	if classes[lang] == nil {
		classes[lang] = map[string]string{}
	}
	for _, w := range strings.Fields(words) {
		classes[lang][w] = class
	}
}

// classOf returns the class of a lower-cased word in lang, or "".
func classOf(lang string, w []byte) string { return classes[lang][string(w)] }
