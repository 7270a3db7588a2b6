package bot

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPool(t *testing.T) {
	p := newPool(1, 2)
	ctx := context.Background()
	release := make(chan struct{})
	started := make(chan int, 4)
	var mu sync.Mutex
	var dropped []int
	mk := func(n int) job {
		return job{
			run: func(context.Context) {
				started <- n
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
	close(release)
	p.wait()
	if d := cmp.Diff([]int{2, 3}, dropped); d != "" {
		t.Errorf("queued jobs dropped at close (-want +got):\n%s", d)
	}
}
