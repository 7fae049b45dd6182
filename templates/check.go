package templates

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"text/template/parse"

	"github.com/courtesyhq/courtesy/internal/editdistance"
)

// checker walks a parsed template and follows every field chain through the
// type of the data, so that "{{.Customer.Birthday}}" is reported when the
// template is parsed, not when some customer's message is rendered.
type checker struct {
	tree  *parse.Tree
	funcs map[string]reflect.Type // result type of each custom function
	probs []problem
	seen  map[string]string // the fields of Data the template reads, as ".Customer.FirstName", and where first: "name:line:col"
}

type problem struct {
	loc string // "name:line:col" as parse.Tree.ErrorContext writes it
	msg string
}

var dataType = reflect.TypeFor[Data]()

func check(tree *parse.Tree, funcs map[string]reflect.Type, seen map[string]string) []problem {
	c := &checker{tree: tree, funcs: funcs, seen: seen}
	if tree != nil && tree.Root != nil {
		c.list(tree.Root, dataType, map[string]reflect.Type{"$": dataType})
	}
	return c.probs
}

func (c *checker) errorf(n parse.Node, format string, args ...any) {
	loc, _ := c.tree.ErrorContext(n)
	c.probs = append(c.probs, problem{loc: loc, msg: fmt.Sprintf(format, args...)})
}

func copyVars(vars map[string]reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, len(vars))
	for k, v := range vars {
		out[k] = v
	}
	return out
}

func (c *checker) list(l *parse.ListNode, dot reflect.Type, vars map[string]reflect.Type) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		c.node(n, dot, vars)
	}
}

func (c *checker) node(n parse.Node, dot reflect.Type, vars map[string]reflect.Type) {
	switch n := n.(type) {
	case *parse.ActionNode:
		c.pipe(n.Pipe, dot, vars)
	case *parse.IfNode:
		c.pipe(n.Pipe, dot, vars)
		c.list(n.List, dot, copyVars(vars))
		c.list(n.ElseList, dot, copyVars(vars))
	case *parse.WithNode:
		inner := copyVars(vars)
		t := c.pipe(n.Pipe, dot, inner)
		c.list(n.List, t, inner)
		c.list(n.ElseList, dot, copyVars(vars))
	case *parse.RangeNode:
		inner := copyVars(vars)
		t := c.pipeNoDecl(n.Pipe, dot, inner)
		key, elem := rangeTypes(t)
		if n.Pipe != nil {
			switch len(n.Pipe.Decl) {
			case 1:
				inner[n.Pipe.Decl[0].Ident[0]] = elem
			case 2:
				inner[n.Pipe.Decl[0].Ident[0]] = key
				inner[n.Pipe.Decl[1].Ident[0]] = elem
			}
		}
		c.list(n.List, elem, inner)
		c.list(n.ElseList, dot, copyVars(vars))
	case *parse.TemplateNode:
		c.pipe(n.Pipe, dot, vars)
	}
}

// pipe checks a pipeline, declares its variables and returns its type (nil
// when it cannot be known).
func (c *checker) pipe(p *parse.PipeNode, dot reflect.Type, vars map[string]reflect.Type) reflect.Type {
	t := c.pipeNoDecl(p, dot, vars)
	if p != nil && len(p.Decl) == 1 {
		vars[p.Decl[0].Ident[0]] = t
	}
	return t
}

func (c *checker) pipeNoDecl(p *parse.PipeNode, dot reflect.Type, vars map[string]reflect.Type) reflect.Type {
	if p == nil {
		return nil
	}
	var t reflect.Type
	for _, cmd := range p.Cmds {
		t = c.command(cmd, dot, vars)
	}
	return t
}

func (c *checker) command(cmd *parse.CommandNode, dot reflect.Type, vars map[string]reflect.Type) reflect.Type {
	if len(cmd.Args) == 0 {
		return nil
	}
	if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok {
		for _, a := range cmd.Args[1:] {
			c.arg(a, dot, vars)
		}
		return c.funcs[id.Ident] // nil for the built-ins: not worth typing
	}
	t := c.arg(cmd.Args[0], dot, vars)
	for _, a := range cmd.Args[1:] {
		c.arg(a, dot, vars)
	}
	return t
}

func (c *checker) arg(n parse.Node, dot reflect.Type, vars map[string]reflect.Type) reflect.Type {
	switch n := n.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		return c.fields(n, dot, "", n.Ident)
	case *parse.VariableNode:
		t, ok := vars[n.Ident[0]]
		if !ok {
			return nil // the parser has already refused undefined variables
		}
		return c.fields(n, t, n.Ident[0], n.Ident[1:])
	case *parse.ChainNode:
		return c.fields(n, c.arg(n.Node, dot, vars), "(…)", n.Field)
	case *parse.PipeNode:
		return c.pipe(n, dot, copyVars(vars))
	case *parse.StringNode:
		return reflect.TypeFor[string]()
	}
	return nil
}

// fields follows idents from t; prefix is what the chain starts from, for
// the message.
func (c *checker) fields(n parse.Node, t reflect.Type, prefix string, idents []string) reflect.Type {
	walked := prefix
	for _, id := range idents {
		if t == nil {
			return nil
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			f, ok := t.FieldByName(id)
			if !ok || !f.IsExported() {
				c.errorf(n, "unknown field %s.%s: %s", walked, id, known(t, id))
				return nil
			}
			c.read(n, t, id)
			t = f.Type
		case reflect.Map, reflect.Interface:
			return nil
		default:
			c.errorf(n, "%s is %s, which has no field %s", orDot(walked), kindName(t), id)
			return nil
		}
		walked += "." + id
	}
	return t
}

// read notes that the template reads field id of t. Each struct in Data
// appears once and is named as its field is, so ".Customer.FirstName" is
// the same placeholder however the template reached it ({{with .Customer}}
// {{.FirstName}} included).
func (c *checker) read(n parse.Node, t reflect.Type, id string) {
	if c.seen == nil {
		return
	}
	name := "." + t.Name() + "." + id
	if t == dataType {
		name = "." + id
	}
	if _, ok := c.seen[name]; !ok {
		loc, _ := c.tree.ErrorContext(n)
		// The parser places a chain of fields (.Customer.FirstName) at its
		// second field; a person looks for it where it starts.
		if f, ok := n.(*parse.FieldNode); ok && len(f.Ident) > 1 {
			file, line, col := splitLocation(loc)
			loc = fmt.Sprintf("%s:%d:%d", file, line, max(col-len(f.Ident[0])-1, 0))
		}
		c.seen[name] = loc
	}
}

func orDot(s string) string {
	if s == "" {
		return "."
	}
	return s
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Array, reflect.Slice:
		return "a list"
	case reflect.Int, reflect.Int64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	}
	return t.String()
}

// known lists the fields of t, nearest to the mistyped one first.
func known(t reflect.Type, typed string) string {
	var names []string
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			names = append(names, f.Name)
		}
	}
	var b strings.Builder
	if s := suggest(typed, names); s != "" {
		b.WriteString("did you mean " + strconv.Quote(s) + "? ")
	}
	sort.Strings(names)
	fmt.Fprintf(&b, "%s has %s", t.Name(), strings.Join(names, ", "))
	return b.String()
}

// suggest returns the name closest to typed (ignoring case) when it is a
// likely slip.
func suggest(typed string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if strings.EqualFold(n, typed) {
			return n
		}
		if d := editdistance.Distance(strings.ToLower(typed), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// rangeTypes is what range over t yields: key and element.
func rangeTypes(t reflect.Type) (key, elem reflect.Type) {
	if t == nil {
		return nil, nil
	}
	switch t.Kind() {
	case reflect.Array, reflect.Slice:
		return reflect.TypeFor[int](), t.Elem()
	case reflect.Map:
		return t.Key(), t.Elem()
	case reflect.Int:
		return t, t
	}
	return nil, nil
}
