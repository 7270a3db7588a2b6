package lru

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLRU(t *testing.T) {
	type step struct {
		put  bool // put key=val, else get key
		key  string
		val  int
		want int // for a get: the value, or -1 when absent
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"evicts the oldest", []step{
			{put: true, key: "a", val: 1}, {put: true, key: "b", val: 2}, {put: true, key: "c", val: 3},
			{key: "a", want: -1}, {key: "b", want: 2}, {key: "c", want: 3},
		}},
		{"a get keeps an entry", []step{
			{put: true, key: "a", val: 1}, {put: true, key: "b", val: 2}, {key: "a", want: 1}, {put: true, key: "c", val: 3},
			{key: "a", want: 1}, {key: "b", want: -1},
		}},
		{"a put replaces and keeps", []step{
			{put: true, key: "a", val: 1}, {put: true, key: "b", val: 2}, {put: true, key: "a", val: 9}, {put: true, key: "c", val: 3},
			{key: "a", want: 9}, {key: "b", want: -1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New[int](2)
			var got, want []int
			for _, s := range tt.steps {
				if s.put {
					c.Put(s.key, s.val)
					continue
				}
				v, ok := c.Get(s.key)
				if !ok {
					v = -1
				}
				got, want = append(got, v), append(want, s.want)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("gets (-want +got):\n%s", d)
			}
		})
	}
}
