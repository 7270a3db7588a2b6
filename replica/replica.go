// Package replica names the dalil processes that share one database and
// the work they divide through it.
//
// Several `dalil serve` replicas on one bot token all receive every
// gateway event. Before doing anything with an event, a replica claims it
// in the database under a key (a message or an interaction id); the insert
// succeeds for one replica only, and the others drop the event. A claim
// carries what another replica needs to finish the work (the Payload) and
// stays open until its work is done. Each replica heartbeats; the open
// claims of a replica whose heartbeat stopped are taken over, atomically,
// by exactly one live replica, which finishes them or reports them lost.
//
// The package holds the vocabulary both sides use: the bot, which claims
// and takes over, and the postgres store, which keeps claims and
// heartbeats. It imports nothing of dalil.
package replica

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"
)

// Claim is an open claim as a replica takes it over from a dead one.
type Claim struct {
	// Key names the event: "m:" and a message id, "i:" and an
	// interaction id.
	Key string
	// Kind says what Payload describes ("mention", "interaction").
	Kind string
	// Payload is what the claiming replica recorded to let another one
	// finish the work (JSON).
	Payload []byte
	// From is the replica that held the claim until it was taken over.
	From string
	// ClaimedAt is when the event was first claimed.
	ClaimedAt time.Time
	// Takeovers counts the times the claim was taken over, this one
	// included: work that kills every replica that tries it is given up.
	Takeovers int
}

// NewID returns an identifier for this process, unique among replicas:
// the host name, the process id and a random suffix (a restarted process
// may get its predecessor's pid).
func NewID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
