// Command ferretdb starts an embedded FerretDB v1 (MongoDB wire protocol over SQLite) for GifChat's
// zero-configuration mode. It prints "listening <addr>" once ready and stops on SIGTERM/SIGINT or when
// its standard input closes, so a crashed parent never leaves it behind.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 = any free port)")
	dir := flag.String("dir", "data/ferretdb", "directory for the SQLite files")
	watchStdin := flag.Bool("watch-stdin", false, "exit when standard input closes")
	flag.Parse()

	if err := os.MkdirAll(*dir, 0o700); err != nil {
		log.Fatalf("ferretdb: %v", err)
	}

	listen, err := resolvePort(*addr)
	if err != nil {
		log.Fatalf("ferretdb: %v", err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dir + "/",
	})
	if err != nil {
		log.Fatalf("ferretdb: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	if err := waitReady(ctx, listen); err != nil {
		log.Fatalf("ferretdb: %v", err)
	}
	fmt.Printf("listening %s\n", listen)

	if err := <-done; err != nil && ctx.Err() == nil {
		log.Fatalf("ferretdb: %v", err)
	}
}

// resolvePort turns port 0 into a concrete free port, because the embedded listener does not
// report the address it bound.
func resolvePort(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port != "0" {
		return addr, err
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(ctx context.Context, addr string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not listening on %s after 30s", addr)
}
