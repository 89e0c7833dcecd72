package decoderbench

import (
	stdjson "encoding/json"

	"github.com/bytedance/sonic"
	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
	gojson "github.com/goccy/go-json"
	segjson "github.com/segmentio/encoding/json"
)

// Decoder is one candidate: its name, as benchmarks and tables show it,
// and its []byte Unmarshal.
type Decoder struct {
	Name      string
	Unmarshal func(data []byte, v any) error
}

// Decoders are the candidates, encoding/json first (the reference the
// others are compared with).
var Decoders = []Decoder{
	{"std", stdjson.Unmarshal},
	{"jsonexp-v1", jsonv1.Unmarshal},
	{"jsonexp-v2", func(data []byte, v any) error { return jsonv2.Unmarshal(data, v) }},
	{"goccy", gojson.Unmarshal},
	{"sonic", sonic.Unmarshal},
	{"sonic-std", sonic.ConfigStd.Unmarshal},
	{"segmentio", segjson.Unmarshal},
}
