package flow

import (
	"bytes"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/oauthkit/oauthkit/internal/fileutil"
)

// RemoveProfile removes the profile name from the profile file, keeping
// the rest of it (other profiles, comments), and writes the file
// atomically with its mode. A missing profile is not an error; a file that
// does not parse is not touched.
func RemoveProfile(path, name string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if _, err := ParseProfiles(path, old); err != nil {
		return fmt.Errorf("not editing a profile file that does not parse: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(old, &root); err != nil || root.Kind == 0 || len(root.Content) == 0 {
		return err
	}
	profiles := mappingValue(root.Content[0], "profiles")
	if profiles == nil || profiles.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(profiles.Content); i += 2 {
		if profiles.Content[i].Value == name {
			profiles.Content = append(profiles.Content[:i], profiles.Content[i+2:]...)
			break
		}
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if _, err := ParseProfiles(path, out.Bytes()); err != nil {
		return fmt.Errorf("the new file would not parse: %w", err)
	}
	return fileutil.WriteFile(path, out.Bytes(), st.Mode().Perm(), true)
}
