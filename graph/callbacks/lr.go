package callbacks

import (
	"fmt"
	"math"

	"github.com/golstm/golstm/graph/model"
)

// ReduceLROnPlateau multiplies the learning rate by Factor when a
// monitored quantity has stopped improving, as Keras 2.2.4's
// ReduceLROnPlateau. An epoch improves when its value beats the best by
// more than MinDelta (current < best − MinDelta when minimizing, current >
// best + MinDelta when maximizing). After Patience epochs in a row without
// improvement, outside the cooldown, the rate becomes max(lr·Factor,
// MinLR) (only while lr > MinLR); then Cooldown epochs follow during which
// epochs without improvement are not counted. Every epoch's logs get
// "lr", the rate that epoch trained with, so the History and CSVLogger
// record it.
//
// Start from NewReduceLROnPlateau, which has Keras' defaults; the zero
// value's Factor 0 is refused.
type ReduceLROnPlateau struct {
	model.CallbackBase
	// Monitor is a log name ("val_loss" when empty).
	Monitor string
	// Factor multiplies the rate: 0 < Factor < 1.
	Factor float64
	// Patience is the number of epochs without improvement before a
	// reduction.
	Patience int
	// Verbose 1 writes a line to FitParams.Output at every reduction.
	Verbose int
	// Mode is "min", "max" or "auto" (max when Monitor contains "acc").
	Mode string
	// MinDelta is the least change that counts as an improvement (>= 0).
	MinDelta float64
	// Cooldown is the number of epochs after a reduction before epochs
	// without improvement count again.
	Cooldown int
	// MinLR is the lower bound of the rate (>= 0).
	MinLR float64

	mon      monitor
	out      fitOutput
	best     float64
	wait     int
	cooldown int
}

// NewReduceLROnPlateau returns ReduceLROnPlateau with Keras' defaults:
// monitor val_loss, factor 0.1, patience 10, mode auto, min_delta 1e-4,
// cooldown 0, min_lr 0.
func NewReduceLROnPlateau() *ReduceLROnPlateau {
	return &ReduceLROnPlateau{Monitor: "val_loss", Factor: 0.1, Patience: 10, Mode: "auto", MinDelta: 1e-4}
}

// OnTrainBegin checks the settings and resets the state.
func (r *ReduceLROnPlateau) OnTrainBegin(m *model.Model, p model.FitParams) error {
	if r.Monitor == "" {
		r.Monitor = "val_loss"
	}
	switch {
	case !(r.Factor > 0 && r.Factor < 1):
		return fmt.Errorf("callbacks: ReduceLROnPlateau factor %v: want 0 < factor < 1 (NewReduceLROnPlateau has Keras' 0.1)", r.Factor)
	case r.Patience < 0:
		return fmt.Errorf("callbacks: ReduceLROnPlateau patience %d: want >= 0", r.Patience)
	case r.Cooldown < 0:
		return fmt.Errorf("callbacks: ReduceLROnPlateau cooldown %d: want >= 0", r.Cooldown)
	}
	if err := nonNegative("ReduceLROnPlateau", "min_delta", r.MinDelta); err != nil {
		return err
	}
	if err := nonNegative("ReduceLROnPlateau", "min_lr", r.MinLR); err != nil {
		return err
	}
	if err := needOptimizer("ReduceLROnPlateau", m); err != nil {
		return err
	}
	mon, err := newMonitor("ReduceLROnPlateau", r.Monitor, r.Mode, p.Metrics)
	if err != nil {
		return err
	}
	r.mon, r.out = mon, fitOutput{p, r.Verbose}
	r.best, r.wait, r.cooldown = mon.worst(), 0, 0
	return nil
}

// OnEpochEnd logs "lr" and reduces it after Patience epochs without
// improvement.
func (r *ReduceLROnPlateau) OnEpochEnd(m *model.Model, epoch int, logs map[string]float64) error {
	opt := m.Optimizer()
	logs["lr"] = opt.LearningRate()
	cur, ok := logs[r.Monitor]
	if !ok {
		return nil // an epoch stopped part way, without validation
	}
	if r.cooldown > 0 {
		r.cooldown--
		r.wait = 0
	}
	switch {
	case r.mon.improves(cur, r.best, r.MinDelta):
		r.best, r.wait = cur, 0
	case r.cooldown == 0:
		r.wait++
		if r.wait < r.Patience {
			return nil
		}
		old := opt.LearningRate()
		if old <= r.MinLR {
			return nil
		}
		lr := math.Max(old*r.Factor, r.MinLR)
		if err := opt.SetLearningRate(lr); err != nil {
			return fmt.Errorf("callbacks: ReduceLROnPlateau: %w", err)
		}
		r.out.printf("Epoch %05d: ReduceLROnPlateau reducing learning rate to %s.", epoch+1, pyRepr(lr))
		r.cooldown, r.wait = r.Cooldown, 0
	}
	return nil
}

// LearningRateScheduler sets the learning rate at the start of every epoch
// to Schedule(epoch, lr), lr being the current rate, as Keras 2.2.4's
// LearningRateScheduler. A rate that is not a finite number >= 0 is an
// error.
type LearningRateScheduler struct {
	model.CallbackBase
	// Schedule returns the rate of an epoch (from 0) given the current one.
	Schedule func(epoch int, lr float64) float64
	// Verbose 1 writes a line to FitParams.Output at every epoch.
	Verbose int

	out fitOutput
}

// OnTrainBegin checks that there is a schedule and an optimizer.
func (s *LearningRateScheduler) OnTrainBegin(m *model.Model, p model.FitParams) error {
	if s.Schedule == nil {
		return fmt.Errorf("callbacks: LearningRateScheduler: Schedule is nil")
	}
	s.out = fitOutput{p, s.Verbose}
	return needOptimizer("LearningRateScheduler", m)
}

// OnEpochBegin sets the epoch's rate.
func (s *LearningRateScheduler) OnEpochBegin(m *model.Model, epoch int) error {
	opt := m.Optimizer()
	lr := s.Schedule(epoch, opt.LearningRate())
	if err := opt.SetLearningRate(lr); err != nil {
		return fmt.Errorf("callbacks: LearningRateScheduler: schedule(%d) = %v: %w", epoch, lr, err)
	}
	s.out.printf("Epoch %05d: LearningRateScheduler setting learning rate to %s.", epoch+1, pyRepr(lr))
	return nil
}

// needOptimizer checks that m is compiled.
func needOptimizer(callback string, m *model.Model) error {
	if m == nil || m.Optimizer() == nil {
		return fmt.Errorf("callbacks: %s: the model has no optimizer: compile it first", callback)
	}
	return nil
}
