package postmortem

import (
	"go/build"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// The store is one implementation of what the package needs of it.
var (
	_ Publisher = (*store.Store)(nil)
	_ Saver     = (*store.Store)(nil)
	_ Importer  = (*store.Store)(nil)
	_ Source    = (*store.Store)(nil)
)

// The package assembles postmortems from domain types (internal/model)
// and reaches the database only through the small interfaces above, so
// it must not import internal/store, directly or through another package
// of the module. (make lint checks the same with go list -deps.)
func TestDoesNotImportStore(t *testing.T) {
	const module = "github.com/debrief-dev/debrief/"
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	ctx := build.Default
	ctx.BuildTags = append(ctx.BuildTags, "sqlite_fts5")
	seen := map[string][]string{} // package → the import path that led to it
	var walk func(pkg string, via []string)
	walk = func(pkg string, via []string) {
		if _, ok := seen[pkg]; ok {
			return
		}
		seen[pkg] = via
		p, err := ctx.ImportDir(filepath.Join(root, strings.TrimPrefix(pkg, module)), 0)
		require.NoError(t, err, pkg)
		for _, imp := range p.Imports { // not the test files' imports
			if strings.HasPrefix(imp, module) {
				walk(imp, append(via[:len(via):len(via)], imp))
			}
		}
	}
	walk(module+"internal/postmortem", nil)
	assert.NotContains(t, seen, module+"internal/store", "imported via %v", seen[module+"internal/store"])
	assert.Contains(t, seen, module+"internal/model", "the walk follows the module's imports")
}
