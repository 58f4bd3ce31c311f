package yamlline

import "testing"

func TestProblemLine(t *testing.T) {
	tests := []struct {
		name, data string
		want       int
	}{
		{"bad indent in a mapping", "profiles:\n  dev:\n    issuer: a\n   client_id: b\n", 4},
		{"bad indent in a list item", "clients:\n  - id: a\n    secret: s\n   grant_types: [x]\n", 4},
		{"further down", "a: 1\nb:\n  c: 2\n  d: 3\n\n  e: 4\n f: 6\n", 7},
	}
	for _, tt := range tests {
		if got := ProblemLine([]byte(tt.data), 1); got != tt.want {
			t.Errorf("%s: line %d, want %d", tt.name, got, tt.want)
		}
	}
	if got := ProblemLine([]byte("a: 1\nb: 2\n"), 1); got != 1 {
		t.Errorf("a file that parses keeps the reported line: %d", got)
	}
	if got := ProblemLine([]byte("a:\n  b: 1\n c: 2\n"), 0); got != 0 {
		t.Errorf("no reported line: %d", got)
	}
}
