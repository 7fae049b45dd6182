package store

import "github.com/courtesyhq/courtesy"

// The entities and error kinds the store keeps and returns live in the root
// package, so that the packages reading them need not import this one.
// These names remain while other code moves over.

// ErrNotFound is courtesy.ErrNotFound.
//
// Deprecated: use courtesy.ErrNotFound.
var ErrNotFound = courtesy.ErrNotFound

// ErrErased is courtesy.ErrErased.
//
// Deprecated: use courtesy.ErrErased.
var ErrErased = courtesy.ErrErased

// Deprecated: use courtesy.Preferences.
type Preferences = courtesy.Preferences

// Deprecated: use courtesy.Suppression.
type Suppression = courtesy.Suppression

// Deprecated: use courtesy.Bounce.
type Bounce = courtesy.Bounce

// Deprecated: use courtesy.CampaignState.
type CampaignState = courtesy.CampaignState

// Deprecated: use courtesy.CampaignHealth.
type CampaignHealth = courtesy.CampaignHealth

// Deprecated: use courtesy.OptOut.
type OptOut = courtesy.OptOut

// Deprecated: use courtesy.Answer.
type Answer = courtesy.Answer

// Deprecated: use courtesy.Engagement.
type Engagement = courtesy.Engagement

// Deprecated: use courtesy.Filter.
type Filter = courtesy.Filter

// Deprecated: use courtesy.ReportMessage.
type ReportMessage = courtesy.ReportMessage

// Deprecated: use courtesy.Erased.
type Erased = courtesy.Erased

// Deprecated: use courtesy.PlatformID.
type PlatformID = courtesy.PlatformID

// Decision is the old name of DecisionUpdate, which reads better beside the
// courtesy.Decision it carries: store.DecisionUpdate{Decision: …}.
//
// Deprecated: use DecisionUpdate.
type Decision = DecisionUpdate
