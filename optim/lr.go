package optim

// Learning rates, as Keras' callbacks read and set optimizer.lr. Each
// optimizer's LearningRate is its LR field, the rate before decay: a step
// uses LR · 1/(1 + Decay·iterations) (see the package doc).

// setLR checks lr (a finite number >= 0) and stores it in *field.
func setLR(opt string, field *float64, lr float64) error {
	if err := nonNeg(opt, "lr", lr); err != nil {
		return err
	}
	*field = lr
	return nil
}

// LearningRate returns LR.
func (o *SGD) LearningRate() float64 { return o.LR }

// SetLearningRate sets LR to a finite lr >= 0.
func (o *SGD) SetLearningRate(lr float64) error { return setLR("sgd", &o.LR, lr) }

// LearningRate returns LR.
func (o *RMSprop) LearningRate() float64 { return o.LR }

// SetLearningRate sets LR to a finite lr >= 0.
func (o *RMSprop) SetLearningRate(lr float64) error { return setLR("rmsprop", &o.LR, lr) }

// LearningRate returns LR.
func (o *Adagrad) LearningRate() float64 { return o.LR }

// SetLearningRate sets LR to a finite lr >= 0.
func (o *Adagrad) SetLearningRate(lr float64) error { return setLR("adagrad", &o.LR, lr) }

// LearningRate returns LR.
func (o *Adadelta) LearningRate() float64 { return o.LR }

// SetLearningRate sets LR to a finite lr >= 0.
func (o *Adadelta) SetLearningRate(lr float64) error { return setLR("adadelta", &o.LR, lr) }

// LearningRate returns LR.
func (o *Adam) LearningRate() float64 { return o.LR }

// SetLearningRate sets LR to a finite lr >= 0.
func (o *Adam) SetLearningRate(lr float64) error { return setLR("adam", &o.LR, lr) }

// LearningRate returns LR.
func (o *Adamax) LearningRate() float64 { return o.LR }

// SetLearningRate sets LR to a finite lr >= 0.
func (o *Adamax) SetLearningRate(lr float64) error { return setLR("adamax", &o.LR, lr) }

// LearningRate returns LR.
func (o *Nadam) LearningRate() float64 { return o.LR }

// SetLearningRate sets LR to a finite lr >= 0.
func (o *Nadam) SetLearningRate(lr float64) error { return setLR("nadam", &o.LR, lr) }
