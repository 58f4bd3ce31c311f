// Package yamlline finds the line a YAML syntax error is really on, for
// every file oauthkit reads (the serve configuration, the profile file).
package yamlline

import (
	"bytes"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxLines bounds the work on large files (the file is parsed again once
// per line).
const maxLines = 5000

// ProblemLine returns the line a YAML syntax error is on. yaml.v3 reports
// where the enclosing block starts (line 1 for a mis-indented key deep in
// clients:), so the file is parsed again line by line from the reported
// line on: the first prefix that no longer parses ends at the offending
// line. When every prefix parses (the problem is the end of the file), or
// the file is too large, the reported line is kept.
func ProblemLine(data []byte, reported int) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if reported < 1 || len(lines) > maxLines {
		return reported
	}
	for n := reported; n <= len(lines); n++ {
		var node yaml.Node
		if err := yaml.Unmarshal(bytes.Join(lines[:n], nil), &node); err != nil {
			return n
		}
	}
	return reported
}

// Reported splits a yaml.v3 message of the form "line N: text" (or
// "yaml: line N: text", on one line) into N and text; ok is false for a
// message without a line number.
func Reported(msg string) (line int, text string, ok bool) {
	rest, ok := strings.CutPrefix(strings.TrimPrefix(msg, "yaml: "), "line ")
	if !ok {
		return 0, "", false
	}
	digits, text, ok := strings.Cut(rest, ": ")
	if !ok || digits == "" || strings.Contains(msg, "\n") {
		return 0, "", false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, "", false
		}
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return 0, "", false
	}
	return n, text, true
}
