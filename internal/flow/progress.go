package flow

import "time"

// Step names a point of BrowserFlow.Run, for a progress view.
type Step int

// The steps of Run, in order. StepBrowserOpened or StepBrowserFailed come
// from another goroutine than the others, and may arrive after StepWaiting.
const (
	StepListening        Step = iota + 1 // URL: the catcher's redirect URI
	StepAuthorizationURL                 // URL: the authorization URL to open
	StepHeadless                         // oauthkit follows the redirects itself
	StepBrowserOpened                    // the opener started a browser
	StepBrowserFailed                    // Err: the opener failed
	StepWaiting                          // Deadline: the wait for the response ends then
	StepCallback                         // the authorization response arrived and was accepted
	StepExchanged                        // the code was redeemed at the token endpoint
)

// Event is one step of a BrowserFlow.
type Event struct {
	Step     Step
	URL      string
	Err      error
	Deadline time.Time
}

// report sends e to f.Progress, if set.
func (f *BrowserFlow) report(e Event) {
	if f.Progress != nil {
		f.Progress(e)
	}
}
