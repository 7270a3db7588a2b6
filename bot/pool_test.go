package bot

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPool(t *testing.T) {
	tests := []struct {
		name string
		// deadline cancels the workers' context before the first job ends,
		// as the shutdown deadline does.
		deadline    bool
		wantRan     []int
		wantDropped []int
	}{
		{"queued jobs run after close", false, []int{1, 2, 3}, nil},
		{"queued jobs are dropped past the deadline", true, []int{1}, []int{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testPool(t, tt.deadline, tt.wantRan, tt.wantDropped)
		})
	}
}

func testPool(t *testing.T, deadline bool, wantRan, wantDropped []int) {
	p := newPool(1, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	started := make(chan int, 4)
	var mu sync.Mutex
	var ran, dropped []int
	mk := func(n int) job {
		return job{
			run: func(context.Context) {
				started <- n
				mu.Lock()
				ran = append(ran, n)
				mu.Unlock()
				<-release
			},
			drop: func() {
				mu.Lock()
				dropped = append(dropped, n)
				mu.Unlock()
			},
		}
	}
	go p.run(ctx)
	<-p.ran
	var places []int
	place, err := p.submit(mk(1))
	if err != nil {
		t.Fatal(err)
	}
	places = append(places, place)
	<-started // job 1 runs, the only worker is busy
	for n := 2; n <= 3; n++ {
		place, err := p.submit(mk(n))
		if err != nil {
			t.Fatal(err)
		}
		places = append(places, place)
	}
	if _, err := p.submit(mk(4)); err != errQueueFull {
		t.Errorf("submit to a full queue: %v, want errQueueFull", err)
	}
	if d := cmp.Diff([]int{0, 1, 2}, places); d != "" {
		t.Errorf("places in line (-want +got):\n%s", d)
	}
	p.close()
	if _, err := p.submit(mk(5)); err != errStopping {
		t.Errorf("submit after close: %v, want errStopping", err)
	}
	if deadline {
		cancel()
	}
	close(release)
	p.wait()
	if d := cmp.Diff(wantRan, ran); d != "" {
		t.Errorf("jobs run (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantDropped, dropped); d != "" {
		t.Errorf("jobs dropped (-want +got):\n%s", d)
	}
}
