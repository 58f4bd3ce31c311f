// Package e2e holds the end-to-end checks of the terminal UI: tests that
// build the oauthkit binary, run it inside a real terminal (tmux) against
// `oauthkit serve`, and read the screen with capture-pane. It has no code
// of its own; see tmux_test.go.
package e2e
