package postgres

import (
	"strconv"
	"time"
)

// PurgeLockKeyForTest is the purge advisory lock's key as SQL.
var PurgeLockKeyForTest = strconv.FormatInt(purgeLockKey, 10)

// SetCallTimeout replaces DefaultCallTimeout for d.
func SetCallTimeout(d *DB, t time.Duration) { d.callTimeout = t }
