package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// DefaultDiscordAPIBaseURL is Discord's REST API base.
const DefaultDiscordAPIBaseURL = "https://discord.com"

// loadReplicas reads the settings of dalil serve that let it run as one of
// several replicas: gateway sharding, the REST API base and the
// attachment hosts.
func (c *Config) loadReplicas(str func(key, def string) string, errs *[]string) {
	bad := func(format string, a ...any) { *errs = append(*errs, fmt.Sprintf(format, a...)) }

	id, count := str("DISCORD_SHARD_ID", ""), str("DISCORD_SHARD_COUNT", "")
	switch {
	case count == "auto":
		c.DiscordShardAuto = true
		if id != "" {
			bad("DISCORD_SHARD_ID=%q: with DISCORD_SHARD_COUNT=auto each replica claims its shard; unset DISCORD_SHARD_ID", id)
		}
	case count == "" && id == "":
	case count == "" || id == "":
		bad("DISCORD_SHARD_ID and DISCORD_SHARD_COUNT go together: set both (0 <= id < count), DISCORD_SHARD_COUNT=auto alone, or neither")
	default:
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			bad("DISCORD_SHARD_COUNT=%q: want a whole number of shards, at least 1, or auto", count)
			break
		}
		i, err := strconv.Atoi(id)
		if err != nil || i < 0 || i >= n {
			bad("DISCORD_SHARD_ID=%q: want a whole number from 0 to %d (DISCORD_SHARD_COUNT - 1)", id, n-1)
			break
		}
		c.DiscordShardID, c.DiscordShardCount = i, n
	}
	if c.InteractionsOnly && (count != "" || id != "") {
		bad("INTERACTIONS_ONLY=true with DISCORD_SHARD_ID/DISCORD_SHARD_COUNT: a replica without the gateway runs no shard; unset them")
	}

	base := str("DISCORD_API_BASE_URL", DefaultDiscordAPIBaseURL)
	u, err := url.Parse(base)
	shown := "(not shown: it does not parse)"
	if err == nil {
		shown = u.Redacted() // a password in it is not printed
	}
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		bad("DISCORD_API_BASE_URL=%q: want http:// or https:// and a host, such as %s", shown, DefaultDiscordAPIBaseURL)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		bad("DISCORD_API_BASE_URL=%q: want no query, fragment or user name", shown)
	case strings.Contains(u.Path+"/", "/api/"):
		bad("DISCORD_API_BASE_URL=%q: give the base without /api/v9, which dalil adds", shown)
	default:
		c.DiscordAPIBaseURL = strings.TrimSuffix(base, "/")
	}

	for _, h := range SplitList(str("DISCORD_ATTACHMENT_HOSTS", "")) {
		if norm, ok := attachmentHost(h); ok {
			c.DiscordAttachmentHosts = append(c.DiscordAttachmentHosts, norm)
		} else {
			bad("DISCORD_ATTACHMENT_HOSTS: %q is neither a host name (cdn.discordapp.com) nor an origin (http://127.0.0.1:8080)", h)
		}
	}
}

// attachmentHost checks and lowercases one attachment host: a host name,
// with an optional port, or an origin scheme://host[:port].
func attachmentHost(h string) (string, bool) {
	h = strings.ToLower(h)
	if strings.Contains(h, "://") {
		u, err := url.Parse(h)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return "", false
		}
		return u.Scheme + "://" + u.Host, true
	}
	u, err := url.Parse("https://" + h)
	return h, err == nil && u.Host == h && u.Hostname() != ""
}
