// Command validate strictly decodes rendered Kubernetes manifests into their Go API types: an
// unknown field, a wrong type or an unknown kind is an error. It reads `helm template` output
// (several YAML documents) from the files named on the command line, or stdin.
//
// ConfigMaps that carry an endpoint picker configuration (a key ending in plugins.yaml) have
// that configuration decoded strictly into the Gateway API Inference Extension's own type.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	inferencev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	eppconfig "sigs.k8s.io/gateway-api-inference-extension/apix/config/v1alpha1"
	"sigs.k8s.io/yaml"
)

// kinds maps apiVersion/kind to a constructor of the Go type it decodes into.
var kinds = map[string]func() any{
	"v1/ConfigMap":             func() any { return &corev1.ConfigMap{} },
	"v1/Service":               func() any { return &corev1.Service{} },
	"v1/ServiceAccount":        func() any { return &corev1.ServiceAccount{} },
	"v1/PersistentVolumeClaim": func() any { return &corev1.PersistentVolumeClaim{} },
	"apps/v1/Deployment":       func() any { return &appsv1.Deployment{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"rbac.authorization.k8s.io/v1/Role":        func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding": func() any { return &rbacv1.RoleBinding{} },
	"monitoring.coreos.com/v1/PodMonitor":      func() any { return &monitoringv1.PodMonitor{} },
	"inference.networking.k8s.io/v1/InferencePool": func() any { return &inferencev1.InferencePool{} },
}

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

func main() {
	var inputs []io.Reader
	var names []string
	if len(os.Args) < 2 {
		inputs, names = []io.Reader{os.Stdin}, []string{"stdin"}
	}
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		inputs, names = append(inputs, f), append(names, name)
	}
	count, errors := 0, 0
	for i, in := range inputs {
		data, err := io.ReadAll(in)
		if err != nil {
			fail(err)
		}
		for _, doc := range documents(data) {
			count++
			if err := check(doc); err != nil {
				errors++
				fmt.Fprintf(os.Stderr, "%s: %v\n", names[i], err)
			}
		}
	}
	if count == 0 {
		fail(fmt.Errorf("no manifests in %v", names))
	}
	fmt.Printf("validate: %d manifests, %d invalid\n", count, errors)
	if errors > 0 {
		os.Exit(1)
	}
}

// documents splits multi-document YAML, dropping empty documents and comment-only ones.
func documents(data []byte) [][]byte {
	var docs [][]byte
	for _, part := range bytes.Split(append([]byte("\n"), data...), []byte("\n---")) {
		meaningful := false
		for _, line := range strings.Split(string(part), "\n") {
			t := strings.TrimSpace(line)
			if t != "" && !strings.HasPrefix(t, "#") {
				meaningful = true
				break
			}
		}
		if meaningful {
			docs = append(docs, part)
		}
	}
	return docs
}

func check(doc []byte) error {
	var h header
	if err := yaml.Unmarshal(doc, &h); err != nil {
		return fmt.Errorf("not YAML: %w", err)
	}
	id := fmt.Sprintf("%s %s", h.Kind, h.Metadata.Name)
	make, known := kinds[h.APIVersion+"/"+h.Kind]
	if !known {
		return fmt.Errorf("%s: unknown apiVersion/kind %s/%s", id, h.APIVersion, h.Kind)
	}
	if h.Metadata.Name == "" {
		return fmt.Errorf("%s: no metadata.name", id)
	}
	obj := make()
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	if cm, ok := obj.(*corev1.ConfigMap); ok {
		for key, value := range cm.Data {
			if strings.HasSuffix(key, "plugins.yaml") {
				var cfg eppconfig.EndpointPickerConfig
				if err := yaml.UnmarshalStrict([]byte(value), &cfg); err != nil {
					return fmt.Errorf("%s: %s: %w", id, key, err)
				}
				if err := checkPickerRefs(&cfg); err != nil {
					return fmt.Errorf("%s: %s: %w", id, key, err)
				}
			}
		}
	}
	fmt.Printf("ok %s %s\n", h.APIVersion, id)
	return nil
}

// checkPickerRefs: every pluginRef names a declared plugin (by name, or by type when unnamed).
func checkPickerRefs(cfg *eppconfig.EndpointPickerConfig) error {
	declared := map[string]bool{}
	for _, p := range cfg.Plugins {
		if p.Name != "" {
			declared[p.Name] = true
		} else {
			declared[p.Type] = true
		}
	}
	var refs []string
	for _, profile := range cfg.SchedulingProfiles {
		for _, p := range profile.Plugins {
			refs = append(refs, p.PluginRef)
		}
	}
	if cfg.DataLayer != nil {
		for _, s := range cfg.DataLayer.Sources {
			refs = append(refs, s.PluginRef)
			for _, e := range s.Extractors {
				refs = append(refs, e.PluginRef)
			}
		}
	}
	for _, r := range refs {
		if !declared[r] {
			return fmt.Errorf("pluginRef %q names no declared plugin", r)
		}
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "validate:", err)
	os.Exit(2)
}
