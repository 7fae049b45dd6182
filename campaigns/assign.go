package campaigns

import (
	"crypto/sha256"
	"encoding/binary"
)

// Assign places a customer in the campaign's control group or not, and in
// one of its variants, from a hash of the campaign id and the customer id:
// the same customer lands in the same place on every run and every machine.
// Holdout percent of customers are control. The variant is drawn
// independently by weight and returned for control customers too, so each
// variant can be measured against its own control group; it is "" when the
// campaign has no variants.
func Assign(c *Campaign, customerID string) (control bool, variant string) {
	h := sha256.Sum256([]byte(c.ID + "\x00" + customerID))
	control = binary.BigEndian.Uint64(h[0:8])%10000 < uint64(c.Holdout)*100
	total := 0
	for _, v := range c.Variants {
		total += v.Weight
	}
	if total == 0 {
		return control, ""
	}
	pick := int(binary.BigEndian.Uint64(h[8:16]) % uint64(total))
	for _, v := range c.Variants {
		if pick < v.Weight {
			return control, v.ID
		}
		pick -= v.Weight
	}
	return control, c.Variants[len(c.Variants)-1].ID
}
