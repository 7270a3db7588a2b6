// Package lru is a bounded map that evicts the least recently used entry,
// safe for concurrent use: the bot's conversations and answer records, and
// rag's cache of question translations.
package lru

import (
	"container/list"
	"sync"
)

// Cache is a bounded map from strings to V that evicts the least recently
// used entry. It is safe for concurrent use.
type Cache[V any] struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *entry[V], most recent first
	items map[string]*list.Element
}

// entry is one key and its value.
type entry[V any] struct {
	key string
	val V
}

// New returns an empty Cache holding at most max entries.
func New[V any](max int) *Cache[V] {
	return &Cache[V]{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns the value of key, and whether it is there; it counts as a use.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*entry[V]).val, true
}

// Put sets the value of key, evicting the least recently used entry when
// the cache is full.
func (c *Cache[V]) Put(key string, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*entry[V]).val = val
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&entry[V]{key, val})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*entry[V]).key)
	}
}
