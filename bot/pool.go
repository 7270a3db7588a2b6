package bot

import (
	"context"
	"errors"
	"sync"
)

// errQueueFull is returned by pool.submit when every worker is busy and the
// queue is full; errStopping when the bot is shutting down.
var (
	errQueueFull = errors.New("the question queue is full")
	errStopping  = errors.New("the bot is shutting down")
)

// job is one queued question: run answers it; drop tells the member it
// was not answered because the bot stopped before a worker was free.
type job struct {
	run  func(ctx context.Context)
	drop func()
}

// pool is a bounded set of workers with a FIFO queue.
type pool struct {
	workers int
	jobs    chan job
	mu      sync.Mutex
	closed  bool
	waiting int // queued, not started
	busy    int
	wg      sync.WaitGroup
	ran     chan struct{} // closed when run has started the workers
}

func newPool(workers, queue int) *pool {
	return &pool{workers: workers, jobs: make(chan job, queue), ran: make(chan struct{})}
}

// run starts the workers; they stop when close is called and the queue is
// drained. Queued jobs still run after close, so that a shutdown answers
// what it can; once ctx ends, those left are dropped instead.
func (p *pool) run(ctx context.Context) {
	p.wg.Add(p.workers)
	for range p.workers {
		go func() {
			defer p.wg.Done()
			for j := range p.jobs {
				p.mu.Lock()
				p.waiting--
				late := ctx.Err() != nil
				if !late {
					p.busy++
				}
				p.mu.Unlock()
				if late {
					j.drop()
					continue
				}
				j.run(ctx)
				p.mu.Lock()
				p.busy--
				p.mu.Unlock()
			}
		}()
	}
	close(p.ran)
}

// submit queues j and returns its place in line: 0 when a worker is free,
// 1 when it is next, and so on.
func (p *pool) submit(j job) (place int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, errStopping
	}
	place = max(0, p.waiting+p.busy-p.workers+1)
	select {
	case p.jobs <- j:
		p.waiting++
		return place, nil
	default:
		return 0, errQueueFull
	}
}

// close stops taking jobs; jobs still queued run, or are dropped once
// run's context ends.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.jobs)
	}
}

// wait waits for the workers to finish after close.
func (p *pool) wait() {
	select {
	case <-p.ran:
		p.wg.Wait()
	default:
		// run never started: drop what was queued.
		for j := range p.jobs {
			j.drop()
		}
	}
}
