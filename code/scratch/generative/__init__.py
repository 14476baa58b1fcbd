"""Part VI: generative models (pages under ``book/generative/``).

1. :mod:`scratch.generative.vae`: variational autoencoders (Gaussian encoder, Bernoulli
   decoder, reparameterisation, ELBO, IWAE bound).
2. :mod:`scratch.generative.gan`: generative adversarial networks (minimax and non-saturating
   losses, alternating updates, mode-coverage diagnostics).
3. Diffusion I: score functions, SDEs and the probability-flow ODE.
4. :mod:`scratch.generative.ddpm`: diffusion II, DDPM and DDIM.
5. Stable diffusion from scratch: conditional latent diffusion with classifier-free guidance.

Import from the submodules, e.g. ``from scratch.generative.gan import train_gan``.
"""
