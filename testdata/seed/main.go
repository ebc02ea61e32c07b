// A small HTTP API: the seed application shale's end-to-end tests build.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
)

func health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok", "version": version})
}

func main() {
	addr := os.Getenv("LISTEN_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	http.HandleFunc("/health", health)
	log.Printf("api %s listening on %s", version, addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
