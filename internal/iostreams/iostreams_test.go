package iostreams

import "testing"

// One terminal policy: NO_COLOR takes the colour away, never the screen;
// TERM=dumb or a pipe on standard error takes the screen away; a question
// needs standard input to be a terminal too.
func TestTerminalPolicy(t *testing.T) {
	tests := []struct {
		name                  string
		stdin, stderr         bool
		noColor, dumb         bool
		color, canTUI, canAsk bool
	}{
		{name: "terminal", stdin: true, stderr: true, color: true, canTUI: true, canAsk: true},
		{name: "NO_COLOR", stdin: true, stderr: true, noColor: true, color: false, canTUI: true, canAsk: true},
		{name: "TERM=dumb", stdin: true, stderr: true, dumb: true},
		{name: "stderr a pipe", stdin: true, stderr: false},
		{name: "stdin a pipe", stdin: false, stderr: true, color: true, canTUI: true, canAsk: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _, _ := Test()
			s.SetTTY(tt.stdin, false, tt.stderr)
			s.SetEnv(tt.noColor, tt.dumb)
			if got := s.ColorEnabled(); got != tt.color {
				t.Errorf("ColorEnabled = %v, want %v", got, tt.color)
			}
			if got := s.CanRunTUI(); got != tt.canTUI {
				t.Errorf("CanRunTUI = %v, want %v", got, tt.canTUI)
			}
			if got := s.CanPrompt(); got != tt.canAsk {
				t.Errorf("CanPrompt = %v, want %v", got, tt.canAsk)
			}
		})
	}
}
