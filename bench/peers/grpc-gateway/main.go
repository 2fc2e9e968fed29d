// Command grpc-gateway-peer serves the KtrlPlane REST paths with grpc-gateway v1 (Debian's
// 1.6.4) in front of our own resources-svc, the peer `make bench` measures Hangar's gateway
// against: the same backend process behind two gateways.
//
// The handlers are generated into the build tree by build.sh from
// proto/hangar/resources/v1/ktrlplane.proto and ktrlplane.yaml. grpc-gateway forwards the
// HTTP Authorization header as "authorization" metadata (runtime/context.go), which is what
// our services verify, so the same bearer token works through both gateways.
//
// Our services put their error details in grpc-status-details-bin as Any-wrapped
// google.rpc.ErrorInfo, google.rpc.BadRequest and hangar.rpc.v1.ViolationExtras: their Go
// types are linked in (blank imports) so that grpc-gateway can render an error body at all
// (an unknown Any makes it answer 500 "failed to marshal error message").
//
// Usage: grpc-gateway-peer -listen 127.0.0.1:PORT -backend unix:/path/resources.sock
//
//	[-ready-file PATH]
//
// -backend is any grpc-go target: host:port, or unix:/path for a unix socket.
package main

import (
	"context"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/grpc-ecosystem/grpc-gateway/runtime"
	_ "google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"

	ktrlplane "hangar/resources/v1"
	_ "hangar/rpc/v1"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "HTTP address to serve")
	backend := flag.String("backend", "", "gRPC target of resources-svc (host:port or unix:/path)")
	ready := flag.String("ready-file", "", "written with the bound address once serving")
	flag.Parse()
	if *backend == "" {
		fmt.Fprintln(os.Stderr, "grpc-gateway-peer: -backend is required")
		os.Exit(2)
	}

	ctx := context.Background()
	conn, err := grpc.DialContext(ctx, *backend, grpc.WithInsecure())
	if err != nil {
		log.Fatalf("grpc-gateway-peer: dial %s: %v", *backend, err)
	}
	defer conn.Close()

	mux := runtime.NewServeMux()
	if err := ktrlplane.RegisterKtrlPlaneHandler(ctx, mux, conn); err != nil {
		log.Fatalf("grpc-gateway-peer: register: %v", err)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("grpc-gateway-peer: listen %s: %v", *listen, err)
	}
	if *ready != "" {
		addr := []byte(ln.Addr().String() + "\n")
		if err := ioutil.WriteFile(*ready, addr, 0o600); err != nil {
			log.Fatalf("grpc-gateway-peer: ready file: %v", err)
		}
	}
	log.Fatal(http.Serve(ln, mux))
}
