# SPDX-License-Identifier: Apache-2.0
"""From trained weights to an image: model files, pruning, weight sharing, row assignment, packing."""
