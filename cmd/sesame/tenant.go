package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/sesame-id/sesame/tenants"
)

func (e cliEnv) tenant(args []string) error {
	if len(args) == 0 {
		return usageError{msg: "say create or list, e.g. sesame tenant create --slug acme --name Acme"}
	}
	switch args[0] {
	case "create":
		return e.tenantCreate(args[1:])
	case "list":
		return e.tenantList(args[1:])
	}
	return usageError{msg: fmt.Sprintf("unknown subcommand %q; use create or list", args[0])}
}

func (e cliEnv) tenantCreate(args []string) error {
	fs := e.newFlagSet("tenant create")
	slug := fs.String("slug", "", "the tenant's slug: its host is SLUG.BASE_DOMAIN (required)")
	name := fs.String("name", "", "the product's display name (required)")
	cfg, err := e.parse(fs, false, args)
	if err != nil {
		return err
	}
	if *slug == "" || *name == "" {
		return usageError{msg: "--slug and --name are required, e.g. --slug acme --name Acme"}
	}
	d, err := e.openDB(cfg, newLogger(cfg, e.stderr), true)
	if err != nil {
		return err
	}
	defer d.Close()
	t, err := tenants.NewService(d, "").Create(e.ctx, *slug, *name)
	if errors.Is(err, tenants.ErrSlugTaken) {
		return fmt.Errorf("slug %q is taken by another tenant; choose another --slug", *slug)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created tenant %s (%s) with id %s\n", t.Slug, t.Name, t.ID)
	return nil
}

func (e cliEnv) tenantList(args []string) error {
	fs := e.newFlagSet("tenant list")
	cfg, err := e.parse(fs, false, args)
	if err != nil {
		return err
	}
	d, err := e.openDB(cfg, newLogger(cfg, e.stderr), true)
	if err != nil {
		return err
	}
	defer d.Close()
	all, err := tenants.NewService(d, "").List(e.ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tID\tCREATED")
	for _, t := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Slug, t.Name, t.ID, t.CreatedAt.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}
