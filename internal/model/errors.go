// Package model holds Debrief's domain types, domain errors and the pure
// rules over them (validation, milestone order, durations, time input).
package model

import (
	"errors"
	"sort"
	"strings"
)

// ErrNotFound is returned when a record does not exist (or is not visible).
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write was based on a stale version.
var ErrConflict = errors.New("conflict")

// ErrStorageUnavailable is returned when the database cannot take a write:
// the disk is full, or the file or its folder is read-only or failing. The
// write was rolled back whole; nothing was saved.
var ErrStorageUnavailable = errors.New("storage is full/read-only — nothing was saved")

// StorageError is an ErrStorageUnavailable with its reason ("disk full",
// "read-only", "I/O error") and the driver's error, for the log.
type StorageError struct {
	Reason string
	Err    error
}

func (e *StorageError) Error() string {
	return "storage unavailable (" + e.Reason + "): " + e.Err.Error()
}

// Is makes errors.Is(err, ErrStorageUnavailable) true for a *StorageError.
func (e *StorageError) Is(target error) bool { return target == ErrStorageUnavailable }

// Unwrap gives the driver's error.
func (e *StorageError) Unwrap() error { return e.Err }

// ConflictError is an ErrConflict that carries the record as it is now, so
// the client can show both versions instead of silently overwriting one.
type ConflictError struct {
	Message string
	Current any
}

func (e *ConflictError) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return "conflict: the record was changed by someone else"
}

// Is makes errors.Is(err, ErrConflict) true for a *ConflictError.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// ValidationError lists what is wrong with an input, by field name.
type ValidationError struct {
	Fields map[string]string
}

// NewValidationError returns an empty ValidationError ready to collect fields.
func NewValidationError() *ValidationError {
	return &ValidationError{Fields: map[string]string{}}
}

// FieldError returns a ValidationError with a single field.
func FieldError(field, reason string) *ValidationError {
	return &ValidationError{Fields: map[string]string{field: reason}}
}

// Add records a reason for a field; the first reason for a field wins.
func (v *ValidationError) Add(field, reason string) {
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = reason
	}
}

// Merge copies the fields of other (if it is a *ValidationError) into v and
// returns false when other is a different, non-nil error.
func (v *ValidationError) Merge(other error) bool {
	if other == nil {
		return true
	}
	var ve *ValidationError
	if !errors.As(other, &ve) {
		return false
	}
	for f, r := range ve.Fields {
		v.Add(f, r)
	}
	return true
}

// Err returns v when it holds any field, else nil.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

func (v *ValidationError) Error() string {
	names := make([]string, 0, len(v.Fields))
	for f := range v.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, f := range names {
		parts = append(parts, f+": "+v.Fields[f])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// GateReason is one thing that stands between a record and a step (a
// postmortem and publishing).
type GateReason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// GateError refuses a step with every reason at once, so people can fix
// them all before trying again. It is a 422.
type GateError struct {
	Message string
	Reasons []GateReason
}

func (e *GateError) Error() string {
	msgs := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		msgs[i] = r.Message
	}
	return e.Message + ": " + strings.Join(msgs, "; ")
}
