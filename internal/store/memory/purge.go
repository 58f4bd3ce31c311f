package memory

import (
	"context"
	"time"
)

// Purge deletes expired records, at most limit of them (store.Store).
func (s *Store) Purge(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := s.lock(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	n := 0
	for h, c := range s.codes {
		if n >= limit {
			return n, nil
		}
		if c.ExpiresAt.Before(before) {
			delete(s.codes, h)
			s.forgetUnredeemed(c)
			if fam, ok := s.familyByCode[h]; ok {
				delete(s.familyByCode, h)
				if f, ok := s.families[fam]; ok {
					f.CodeHash = ""
					s.families[fam] = f
				}
			}
			n++
		}
	}
	for h, t := range s.refresh {
		if n >= limit {
			return n, nil
		}
		if t.ExpiresAt.Before(before) {
			delete(s.refresh, h)
			n++
		}
	}
	for id, a := range s.access {
		if n >= limit {
			return n, nil
		}
		if a.ExpiresAt.Before(before) {
			delete(s.access, id)
			n++
		}
	}
	for k, exp := range s.replays {
		if n >= limit {
			return n, nil
		}
		if exp.Before(before) {
			delete(s.replays, k)
			n++
		}
	}
	for h, ps := range s.pending {
		for id, p := range ps {
			if n >= limit {
				return n, nil
			}
			if p.ExpiresAt.Before(before) {
				delete(ps, id)
				n++
			}
		}
		if len(ps) == 0 {
			delete(s.pending, h)
		}
	}
	for h, bs := range s.sessions {
		if !bs.ExpiresAt.Before(before) {
			continue
		}
		for id := range s.pending[h] { // a session's requests go with it
			if n >= limit {
				return n, nil
			}
			delete(s.pending[h], id)
			n++
		}
		if n >= limit {
			return n, nil
		}
		s.dropSession(h)
		n++
	}
	for h, p := range s.pushed {
		if n >= limit {
			return n, nil
		}
		if p.ExpiresAt.Before(before) {
			delete(s.pushed, h)
			n++
		}
	}
	n += s.purgeDevices(before, limit-n)
	if n >= limit {
		return n, nil
	}
	used := map[string]bool{}
	for _, t := range s.refresh {
		used[t.FamilyID] = true
	}
	for _, a := range s.access {
		used[a.FamilyID] = true
	}
	for id, f := range s.families {
		if n >= limit {
			return n, nil
		}
		if !used[id] && f.CreatedAt.Before(before) {
			delete(s.families, id)
			if f.CodeHash != "" {
				delete(s.familyByCode, f.CodeHash)
			}
			n++
		}
	}
	return n, nil
}
