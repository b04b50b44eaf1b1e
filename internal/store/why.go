package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// Whys returns an incident's whys trees: the roots in order, each with its
// children, depths and linked action items. An unknown incident is
// model.ErrNotFound.
func (s *Store) Whys(ctx context.Context, incidentID int64) ([]*model.WhyNode, error) {
	db := s.db.WithContext(ctx)
	if err := incidentExists(db, incidentID); err != nil {
		return nil, err
	}
	nodes, err := loadWhys(db, incidentID)
	if err != nil {
		return nil, err
	}
	var links []struct {
		ActionID int64
		WhyID    int64
	}
	err = db.Table("action_item_whys").Select("action_id, why_id").
		Where("why_id IN (SELECT id FROM why_nodes WHERE incident_id = ?)", incidentID).
		Order("why_id, action_id").Scan(&links).Error
	if err != nil {
		return nil, translate(err)
	}
	idx := make(map[int64]int, len(nodes))
	for i := range nodes {
		idx[nodes[i].ID] = i
	}
	for _, l := range links {
		if i, ok := idx[l.WhyID]; ok {
			nodes[i].ActionIDs = append(nodes[i].ActionIDs, l.ActionID)
		}
	}
	return model.BuildWhyTrees(nodes), nil
}

func loadWhys(db *gorm.DB, incidentID int64) ([]model.WhyNode, error) {
	var nodes []model.WhyNode
	err := db.Where("incident_id = ?", incidentID).Order("parent_id, position, id").Find(&nodes).Error
	return nodes, translate(err)
}

// WhyNode returns one node of an incident (without its children).
func (s *Store) WhyNode(ctx context.Context, incidentID, id int64) (*model.WhyNode, error) {
	return loadWhy(s.db.WithContext(ctx), incidentID, id)
}

func loadWhy(db *gorm.DB, incidentID, id int64) (*model.WhyNode, error) {
	var n model.WhyNode
	if err := db.Where("incident_id = ?", incidentID).First(&n, id).Error; err != nil {
		return nil, translate(err)
	}
	return &n, nil
}

// whyForest is an incident's nodes held in memory while a change is
// checked: at most model.MaxWhyNodes rows.
type whyForest struct {
	nodes map[int64]*model.WhyNode
	roots []*model.WhyNode
}

func loadForest(tx *gorm.DB, incidentID int64) (*whyForest, error) {
	// Only the shape (ids, parents, positions): this runs under the write
	// lock, and reading every text and timestamp of 500 nodes is wasted.
	var flat []model.WhyNode
	err := tx.Select("id", "parent_id", "position").Where("incident_id = ?", incidentID).Find(&flat).Error
	if err != nil {
		return nil, translate(err)
	}
	f := &whyForest{nodes: make(map[int64]*model.WhyNode, len(flat))}
	f.roots = model.BuildWhyTrees(flat)
	for i := range flat {
		f.nodes[flat[i].ID] = &flat[i]
	}
	return f, nil
}

// siblings returns the ids under parent (nil for the roots), in order.
func (f *whyForest) siblings(parent *int64) []int64 {
	list := f.roots
	if parent != nil {
		if p, ok := f.nodes[*parent]; ok {
			list = p.Children
		}
	}
	ids := make([]int64, len(list))
	for i, n := range list {
		ids[i] = n.ID
	}
	return ids
}

// checkParent reports a 422 when parent is not a node of this incident.
func (f *whyForest) checkParent(parent *int64) (*model.WhyNode, error) {
	if parent == nil {
		return nil, nil
	}
	p, ok := f.nodes[*parent]
	if !ok {
		return nil, model.FieldError("parent_id", fmt.Sprintf("there is no why node %d in this incident", *parent))
	}
	return p, nil
}

func checkWhyFactor(tx *gorm.DB, incidentID int64, factorID *int64) error {
	if factorID == nil {
		return nil
	}
	if _, err := loadFactor(tx, incidentID, *factorID); err != nil {
		if err == model.ErrNotFound {
			return model.FieldError("factor_id", fmt.Sprintf("there is no contributing factor %d in this incident", *factorID))
		}
		return err
	}
	return nil
}

func depthLimit() error {
	return model.FieldError("parent_id", fmt.Sprintf("a whys tree can be at most %d levels deep", model.MaxWhyDepth))
}

// CreateWhy validates and stores a node under n.ParentID (nil for a new
// root) at sibling position at (nil for the end). It fills n's ID,
// position, version and times.
func (s *Store) CreateWhy(ctx context.Context, n *model.WhyNode, at *int) error {
	if err := n.Validate(); err != nil {
		return err
	}
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := incidentExists(tx, n.IncidentID); err != nil {
			return err
		}
		f, err := loadForest(tx, n.IncidentID)
		if err != nil {
			return err
		}
		if len(f.nodes) >= model.MaxWhyNodes {
			return model.FieldError("incident", fmt.Sprintf("an incident can have at most %d why nodes", model.MaxWhyNodes))
		}
		parent, err := f.checkParent(n.ParentID)
		if err != nil {
			return err
		}
		if parent != nil && parent.Depth+2 > model.MaxWhyDepth {
			return depthLimit()
		}
		if err := checkWhyFactor(tx, n.IncidentID, n.FactorID); err != nil {
			return err
		}
		sibs := f.siblings(n.ParentID)
		n.ID, n.Version, n.Position, n.CreatedAt, n.UpdatedAt = 0, 1, len(sibs), now, now
		n.Children, n.ActionIDs = nil, nil
		if err := tx.Create(n).Error; err != nil {
			return err
		}
		if at != nil {
			if _, err := reorder(tx, "why_nodes", append(sibs, n.ID), n.ID, *at); err != nil {
				return err
			}
			if err := tx.Select("position").First(n, n.ID).Error; err != nil {
				return err
			}
		}
		return audit(ctx, tx, now, model.AuditCreate, "why_node", n.ID, &n.IncidentID, nil, n)
	})
}

// UpdateWhy changes a node's text, factor link, parent or position. A move
// under the node itself or one of its descendants, or one past the depth
// limit, is a *model.ValidationError; a stale version a *model.ConflictError.
func (s *Store) UpdateWhy(ctx context.Context, incidentID, id int64, p model.WhyPatch) (*model.WhyNode, error) {
	now := s.now()
	var out *model.WhyNode
	err := s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadWhy(tx, incidentID, id)
		if err != nil {
			return err
		}
		if p.Version != cur.Version {
			return staleVersion(fmt.Sprintf("why node %d", id), p.Version, cur.Version, cur)
		}
		next := *cur
		if p.Text != nil {
			next.Text = *p.Text
		}
		if err := next.Validate(); err != nil {
			return err
		}
		changed := next.Text != cur.Text
		if p.SetFactor && !sameID(p.FactorID, cur.FactorID) {
			if err := checkWhyFactor(tx, incidentID, p.FactorID); err != nil {
				return err
			}
			next.FactorID, changed = p.FactorID, true
		}
		f, err := loadForest(tx, incidentID)
		if err != nil {
			return err
		}
		node := f.nodes[id]
		moved := p.SetParent && !sameID(p.ParentID, cur.ParentID)
		if moved {
			parent, err := f.checkParent(p.ParentID)
			if err != nil {
				return err
			}
			// Walk up from the new parent; the step limit guards against a
			// cycle already in the data, which the checks here never let in.
			for a, steps := parent, 0; a != nil && steps <= len(f.nodes); a, steps = f.parentOf(a), steps+1 {
				if a.ID == id {
					return model.FieldError("parent_id", "cannot move a why under itself or one of its own answers: that would make a cycle")
				}
			}
			level := 0
			if parent != nil {
				level = parent.Depth + 1
			}
			if level+node.Height() > model.MaxWhyDepth {
				return depthLimit()
			}
			next.ParentID = p.ParentID
			changed = true
		}
		if p.Position != nil && !moved {
			// A position past either end is clamped; one that lands where the
			// node already is changes nothing.
			if last := len(f.siblings(cur.ParentID)) - 1; max(0, min(*p.Position, last)) == cur.Position {
				p.Position = nil
			}
		}
		if !changed && p.Position == nil {
			out = cur
			return nil
		}
		next.Version, next.UpdatedAt = cur.Version+1, now
		res := tx.Model(&model.WhyNode{}).Where("id = ? AND version = ?", id, cur.Version).
			Select("text", "factor_id", "parent_id", "version", "updated_at").Updates(&next)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return model.ErrConflict
		}
		if moved {
			// Close the gap left behind, then place the node among its new siblings.
			if err := renumber(tx, "why_nodes", without(f.siblings(cur.ParentID), id)); err != nil {
				return err
			}
			pos := len(f.siblings(next.ParentID))
			if p.Position != nil {
				pos = *p.Position
			}
			if _, err := reorder(tx, "why_nodes", append(f.siblings(next.ParentID), id), id, pos); err != nil {
				return err
			}
		} else if p.Position != nil {
			if _, err := reorder(tx, "why_nodes", f.siblings(cur.ParentID), id, *p.Position); err != nil {
				return err
			}
		}
		if err := tx.Select("position").First(&next, id).Error; err != nil {
			return err
		}
		out = &next
		return audit(ctx, tx, now, model.AuditUpdate, "why_node", id, &incidentID, cur, &next)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (f *whyForest) parentOf(n *model.WhyNode) *model.WhyNode {
	if n.ParentID == nil {
		return nil
	}
	return f.nodes[*n.ParentID]
}

// PromoteWhy turns a node into a new contributing factor (created from
// factor, in the same transaction) and links the node to it.
func (s *Store) PromoteWhy(ctx context.Context, incidentID, id int64, version int, factor *model.Factor) (*model.WhyNode, error) {
	factor.IncidentID = incidentID
	if err := factor.Validate(); err != nil {
		return nil, err
	}
	now := s.now()
	var out *model.WhyNode
	err := s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadWhy(tx, incidentID, id)
		if err != nil {
			return err
		}
		if version != cur.Version {
			return staleVersion(fmt.Sprintf("why node %d", id), version, cur.Version, cur)
		}
		if err := s.createFactor(ctx, tx, factor); err != nil {
			return err
		}
		next := *cur
		next.FactorID, next.Version, next.UpdatedAt = &factor.ID, cur.Version+1, now
		if err := tx.Model(&model.WhyNode{}).Where("id = ?", id).
			Select("factor_id", "version", "updated_at").Updates(&next).Error; err != nil {
			return err
		}
		out = &next
		return audit(ctx, tx, now, model.AuditUpdate, "why_node", id, &incidentID, cur, &next)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteWhy removes a node and everything below it, returning how many
// nodes went. With version > 0 the delete is refused when the node
// changed since.
func (s *Store) DeleteWhy(ctx context.Context, incidentID, id int64, version int) (int, error) {
	now := s.now()
	var removed int
	err := s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadWhy(tx, incidentID, id)
		if err != nil {
			return err
		}
		if version > 0 && version != cur.Version {
			return staleVersion(fmt.Sprintf("why node %d", id), version, cur.Version, cur)
		}
		f, err := loadForest(tx, incidentID)
		if err != nil {
			return err
		}
		removed = f.nodes[id].Size()
		// parent_id cascades: the subtree and its action links go in this statement.
		if err := tx.Delete(&model.WhyNode{}, id).Error; err != nil {
			return err
		}
		if err := renumber(tx, "why_nodes", without(f.siblings(cur.ParentID), id)); err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditDelete, "why_node", id, &incidentID, cur, map[string]int{"nodes_removed": removed})
	})
	return removed, err
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func without(ids []int64, id int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}
