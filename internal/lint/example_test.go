package lint_test

import (
	"fmt"

	"github.com/debrief-dev/debrief/internal/lint"
)

func ExampleChecker_Check() {
	c, err := lint.New(nil) // the default rules
	if err != nil {
		panic(err)
	}
	text := "Alice deployed the bad config. We should have caught it, but it was human error."
	for _, f := range c.Check(text, []string{"Alice Smith", "Bob Jones"}) {
		fmt.Printf("%d-%d %s %q\n  %s\n", f.Start, f.End, f.Rule, f.Phrase, f.Reframe)
	}
	// Output:
	// 0-14 person-as-cause "Alice deployed"
	//   What in the deploy path let this change through? Describe the system, not Alice.
	// 34-45 counterfactual "should have"
	//   What did happen, and what pressure or signal made it look right at the time?
	// 68-79 human-error "human error"
	//   Which safeguard was absent, and what made this action easy to get wrong?
}

func ExampleNew() {
	rules := append([]lint.Rule{{
		ID:       "root-cause",
		Patterns: []string{`(?:the\s+)?root\s+cause`, `!root\s+cause\s+analysis`},
		Why:      "There is rarely a single cause; naming one hides the others.",
		Reframe:  "Which contributing factors had to line up?",
	}}, lint.DefaultRules...)
	c, err := lint.New(rules)
	if err != nil {
		panic(err)
	}
	for _, f := range c.Check("The root cause was a stale cache.", nil) {
		fmt.Println(f.Rule, f.Phrase)
	}
	_, err = lint.New([]lint.Rule{{ID: "typo", Patterns: []string{`human (error`}}})
	fmt.Println(err)
	// Output:
	// root-cause The root cause
	// lint: rule "typo": pattern "human (error": error parsing regexp: missing closing ): `human (error`
}
