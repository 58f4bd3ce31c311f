package flow

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/oauthkit/oauthkit/internal/termtext"
	"github.com/oauthkit/oauthkit/internal/yamlline"
)

// profileKeys are the keys a profile may have: the yaml names of Profile's
// fields (the refused secret keys included, so they get their own message).
var profileKeys = func() []string {
	t := reflect.TypeOf(Profile{})
	keys := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}()

// checkProfileKeys walks the parsed file and reports, with its line, the
// first key that is not one of the file's: `f.yaml:6: profiles.dev:
// unknown key "scope" (did you mean "scopes"?)`.
func checkProfileKeys(name string, root *yaml.Node) error {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind == 0 || (doc.Kind == yaml.ScalarNode && doc.Tag == "!!null") {
		return nil
	}
	if doc.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: the file must be a mapping with a profiles key", name, doc.Line)
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if k.Value != "profiles" {
			return unknownKey(name, k, "", []string{"profiles"})
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue
		}
		if v.Kind != yaml.MappingNode {
			return fmt.Errorf("%s:%d: profiles: want a mapping of profile names", name, v.Line)
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			pk, pv := v.Content[j], v.Content[j+1]
			if pv.Kind != yaml.MappingNode {
				continue // an empty profile is reported by ParseProfiles
			}
			for n := 0; n+1 < len(pv.Content); n += 2 {
				key := pv.Content[n]
				if i := sort.SearchStrings(profileKeys, key.Value); i == len(profileKeys) || profileKeys[i] != key.Value {
					return unknownKey(name, key, "profiles."+pk.Value+": ", profileKeys)
				}
			}
		}
	}
	return nil
}

func unknownKey(file string, k *yaml.Node, where string, known []string) error {
	msg := fmt.Sprintf("%s:%d: %sunknown key %q", file, k.Line, where, termtext.Cut(k.Value, 100))
	if s := suggest(k.Value, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return fmt.Errorf("%s", msg)
}

// suggest is the known word closest to w, if it is close (an edit distance
// of at most 2, or one is a prefix of the other).
func suggest(w string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		d := editDistance(w, k)
		if strings.HasPrefix(k, w) || strings.HasPrefix(w, k) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// yamlErrorText turns a yaml.v3 error into "file:N: message" lines, the
// line of a syntax error corrected by yamlline.ProblemLine.
func yamlErrorText(file string, data []byte, err error) error {
	var lines []string
	var te *yaml.TypeError
	if ok := asTypeError(err, &te); ok {
		lines = te.Errors
	} else {
		lines = []string{err.Error()}
	}
	var out []string
	for _, l := range lines {
		if n, text, ok := yamlline.Reported(l); ok {
			msg := strings.TrimPrefix(text, "yaml: ")
			out = append(out, fmt.Sprintf("%s:%d: %s", file, yamlline.ProblemLine(data, n), msg))
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s", file, strings.TrimPrefix(l, "yaml: ")))
	}
	return fmt.Errorf("%s", strings.Join(out, "; "))
}

func asTypeError(err error, te **yaml.TypeError) bool {
	t, ok := err.(*yaml.TypeError)
	if ok {
		*te = t
	}
	return ok
}
