// Package house holds the tests of the house rules that span the whole
// module rather than one package: how large a hand-written production
// file or function may grow. It has no production code.
package house
