// Package yamlline finds the line a YAML syntax error is really on.
// gopkg.in/yaml.v3 reports a parser error at the start of the block it was
// parsing ("line 1: did not find expected key" for a bad indent on line 4),
// so the configuration and profile files both ask this package instead.
package yamlline

import (
	"bytes"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxLines bounds the search (it parses growing prefixes of the file).
const maxLines = 2000

// ProblemLine returns the line of data on which a YAML syntax error
// appears: the first line n such that data's first n lines no longer parse
// while its first n-1 lines do. reported is what yaml.v3 said; it is
// returned when the search cannot do better (no syntax error found, or a
// file over 2000 lines).
func ProblemLine(data []byte, reported int, msg string) int {
	if !strings.HasPrefix(msg, "did not find expected") {
		return reported
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > maxLines {
		return reported
	}
	prefix := make([]byte, 0, len(data))
	for i, l := range lines {
		prefix = append(prefix, l...)
		var n yaml.Node
		if err := yaml.Unmarshal(prefix, &n); err != nil && strings.Contains(err.Error(), "did not find expected") {
			return i + 1
		}
	}
	return reported
}
