package postgres

import "strconv"

// PurgeLockKeyForTest is the purge advisory lock's key as SQL.
var PurgeLockKeyForTest = strconv.FormatInt(purgeLockKey, 10)
