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

// Reported reads the line of the messages yaml.v3 writes, and nothing else.
func TestReported(t *testing.T) {
	tests := []struct {
		msg  string
		line int
		text string
		ok   bool
	}{
		{"yaml: line 4: did not find expected key", 4, "did not find expected key", true},
		{"line 12: field secrt not found in type config.client", 12, "field secrt not found in type config.client", true},
		{"yaml: line 7: mapping values are not allowed in this context: x", 7, "mapping values are not allowed in this context: x", true},
		{"line 3: ", 3, "", true},
		{"yaml: unmarshal errors:", 0, "", false},
		{"line : x", 0, "", false},
		{"line 4x: x", 0, "", false},
		{"line -4: x", 0, "", false},
		{"line 4 x", 0, "", false},
		{"at line 4: x", 0, "", false},
		{"line 4: x\nline 5: y", 0, "", false},
		{"line 99999999999999999999: x", 0, "", false},
		{"", 0, "", false},
	}
	for _, tt := range tests {
		line, text, ok := Reported(tt.msg)
		if line != tt.line || text != tt.text || ok != tt.ok {
			t.Errorf("Reported(%q) = %d, %q, %v; want %d, %q, %v", tt.msg, line, text, ok, tt.line, tt.text, tt.ok)
		}
	}
}
