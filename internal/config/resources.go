package config

import (
	"slices"

	"github.com/oauthkit/oauthkit/internal/oauth"
)

// Resource is a protected resource the server issues access tokens for
// (RFC 8707): a client names it with the resource parameter.
type Resource struct {
	// ID is the resource indicator: an absolute URI without fragment.
	ID   string
	Name string
	// Scopes are the scopes it accepts; empty means any.
	Scopes []string
}

type fileResource struct {
	ID     string   `yaml:"id"`
	Name   string   `yaml:"name"`
	Scopes []string `yaml:"scopes"`
}

// resources checks the top-level resources list.
func (v *validator) resources(p keyPath, frs []fileResource) []Resource {
	var out []Resource
	seen := map[string]int{}
	for i, fr := range frs {
		rp := p.idx(i)
		switch j, dup := seen[fr.ID]; {
		case fr.ID == "":
			v.add(rp.key("id"), "is required: the resource's URI, like https://api.example/")
			continue
		case dup:
			v.add(rp.key("id"), "%q is already listed at resources[%d]", fr.ID, j)
			continue
		}
		seen[fr.ID] = i
		if err := oauth.CheckResourceIndicator(fr.ID); err != nil {
			v.add(rp.key("id"), "%v", err)
		}
		v.uniqueList(rp.key("scopes"), fr.Scopes, checkScope)
		out = append(out, Resource{ID: fr.ID, Name: fr.Name, Scopes: fr.Scopes})
	}
	return out
}

// clientResources checks a client's resources: each one of the configured
// resources.
func (v *validator) clientResources(cfg *Config, p keyPath, ids []string) []string {
	v.uniqueList(p, ids, func(id string) error { return nil })
	for i, id := range ids {
		if !slices.ContainsFunc(cfg.Resources, func(r Resource) bool { return r.ID == id }) {
			v.add(p.idx(i), "%q is not one of the top-level resources", id)
		}
	}
	return ids
}
