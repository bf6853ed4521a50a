"""Reference answers to the course exercises, worked the way a learner would.

One name per exercise in :mod:`convlab.check`: a value, or a function where
the exercise asks for one. Each is the ``reference`` of the exercise's
definition in :mod:`convlab.exercises` (the notebook's module), where it is
worked by hand from the question's default numbers, not computed with convlab,
so the tests that feed these answers to the checkers compare two independent
routes. Look here after trying, not before; in a notebook,
``check.solution(name)`` prints the worked answer and its reasoning once the
exercise has been tried.

Examples
--------
>>> from convlab import check, solutions
>>> check.stride_output_size(solutions.stride_output_size)
Correct! the windows start at columns 0, 2, 4, 6, 8: floor((11 - 3) / 2) + 1 = 5.
"""

from __future__ import annotations

from .check import EXERCISES

__all__ = [
    'network_shape_trace', 'dense_vs_conv_parameters', 'two_layer_receptive_field',
    'kernel_one_value', 'kernel_output_shape', 'naive_correlate2d', 'vertical_edge_kernel',
    'flip_kernel', 'stride_output_size', 'stride_output_values', 'stride_unvisited',
    'alexnet_input_sizes', 'filter_partial_sums', 'filter_output_value', 'filter_output_shape',
    'conv_parameter_count', 'pointwise_parameter_count', 'max_pool_values', 'avg_pool_values',
    'max_pool_indices', 'ceil_mode_output_size', 'naive_max_pool2d', 'same_padding_odd_kernel',
    'same_padding_even_kernel', 'same_padding_stride2', 'reflect_pad_row', 'padded_output_size',
    'dilated_output_size', 'receptive_field_stack', 'pipeline_shapes', 'stacked_3x3_weights',
    'shape_quiz', 'weight_gradient_value', 'bias_gradient', 'gradient_step',
    'max_pool_gradient_route', 'tiny_cnn_parameter_count', 'transposed_output_size',
    'choose_output_padding', 'conv_matrix_shape', 'transposed_by_hand', 'checkerboard_overlap',
    'grouped_parameter_count', 'separable_block_multiplies', 'causal_output_value',
    'fft_length_without_wrap', 'pointwise_output_value', 'ceil_mode_drop_rule',
    'total_to_per_side_padding', 'dilation_convention', 'descent_loop',
]
__all__ += ['why_weight_sharing', 'what_a_feature_map_is', 'flat_region_value',
            'sharpen_prediction', 'stride_downsamples', 'pointwise_mixes_channels',
            'count_multiplications', 'what_pooling_keeps', 'pooling_shift',
            'count_include_pad_corner', 'choose_padding_mode', 'full_output_size']
# (above: conceptual questions, one letter each)
__all__ += ['conv2d_forward', 'conv2d_input_gradient', 'conv2d_weight_gradient']   # 11
__all__ += ['pytorch_layers', 'why_stacked_3x3', 'transposed_views',
            'checkerboard_kernel_size', 'resize_then_convolve', 'why_pointwise_step',
            'fft_for_small_kernels', 'zero_gradient_pixels',
            'why_central_differences']   # 06, 09, 10, 11 (issue 16)
__all__ += ['learning_rate_diverges', 'flat_direction', 'why_batches']   # 07, 08 (issue 16)


def _reference(name):
    return EXERCISES[name].reference


# 00_convolutional_networks -------------------------------------------------------------
network_shape_trace = _reference('network_shape_trace')
dense_vs_conv_parameters = _reference('dense_vs_conv_parameters')
two_layer_receptive_field = _reference('two_layer_receptive_field')
why_weight_sharing = _reference('why_weight_sharing')
what_a_feature_map_is = _reference('what_a_feature_map_is')

# 01_kernels ----------------------------------------------------------------------------
kernel_one_value = _reference('kernel_one_value')
kernel_output_shape = _reference('kernel_output_shape')
naive_correlate2d = _reference('naive_correlate2d')
vertical_edge_kernel = _reference('vertical_edge_kernel')
flip_kernel = _reference('flip_kernel')
flat_region_value = _reference('flat_region_value')
sharpen_prediction = _reference('sharpen_prediction')

# 02_stride -----------------------------------------------------------------------------
stride_output_size = _reference('stride_output_size')
stride_output_values = _reference('stride_output_values')
stride_unvisited = _reference('stride_unvisited')
alexnet_input_sizes = _reference('alexnet_input_sizes')
stride_downsamples = _reference('stride_downsamples')

# 03_filters ----------------------------------------------------------------------------
filter_partial_sums = _reference('filter_partial_sums')
filter_output_value = _reference('filter_output_value')
filter_output_shape = _reference('filter_output_shape')
conv_parameter_count = _reference('conv_parameter_count')
pointwise_parameter_count = _reference('pointwise_parameter_count')
pointwise_output_value = _reference('pointwise_output_value')
pointwise_mixes_channels = _reference('pointwise_mixes_channels')
count_multiplications = _reference('count_multiplications')

# 04_pooling ----------------------------------------------------------------------------
max_pool_values = _reference('max_pool_values')
avg_pool_values = _reference('avg_pool_values')
max_pool_indices = _reference('max_pool_indices')
ceil_mode_output_size = _reference('ceil_mode_output_size')
naive_max_pool2d = _reference('naive_max_pool2d')
ceil_mode_drop_rule = _reference('ceil_mode_drop_rule')
what_pooling_keeps = _reference('what_pooling_keeps')
pooling_shift = _reference('pooling_shift')
count_include_pad_corner = _reference('count_include_pad_corner')

# 05_padding ----------------------------------------------------------------------------
same_padding_odd_kernel = _reference('same_padding_odd_kernel')
same_padding_even_kernel = _reference('same_padding_even_kernel')
same_padding_stride2 = _reference('same_padding_stride2')
reflect_pad_row = _reference('reflect_pad_row')
padded_output_size = _reference('padded_output_size')
total_to_per_side_padding = _reference('total_to_per_side_padding')
choose_padding_mode = _reference('choose_padding_mode')
full_output_size = _reference('full_output_size')

# 06_putting_it_together ----------------------------------------------------------------
dilated_output_size = _reference('dilated_output_size')
receptive_field_stack = _reference('receptive_field_stack')
pipeline_shapes = _reference('pipeline_shapes')
stacked_3x3_weights = _reference('stacked_3x3_weights')
dilation_convention = _reference('dilation_convention')
pytorch_layers = _reference('pytorch_layers')
why_stacked_3x3 = _reference('why_stacked_3x3')

# 07_learning_kernels -------------------------------------------------------------------
weight_gradient_value = _reference('weight_gradient_value')
bias_gradient = _reference('bias_gradient')
gradient_step = _reference('gradient_step')
descent_loop = _reference('descent_loop')
learning_rate_diverges = _reference('learning_rate_diverges')
flat_direction = _reference('flat_direction')

# 08_training_a_tiny_cnn ----------------------------------------------------------------
max_pool_gradient_route = _reference('max_pool_gradient_route')
tiny_cnn_parameter_count = _reference('tiny_cnn_parameter_count')
why_batches = _reference('why_batches')

# 09_transposed_convolution -------------------------------------------------------------
transposed_output_size = _reference('transposed_output_size')
choose_output_padding = _reference('choose_output_padding')
conv_matrix_shape = _reference('conv_matrix_shape')
transposed_by_hand = _reference('transposed_by_hand')
checkerboard_overlap = _reference('checkerboard_overlap')
transposed_views = _reference('transposed_views')
checkerboard_kernel_size = _reference('checkerboard_kernel_size')
resize_then_convolve = _reference('resize_then_convolve')

# 10_convolution_variants ---------------------------------------------------------------
grouped_parameter_count = _reference('grouped_parameter_count')
separable_block_multiplies = _reference('separable_block_multiplies')
causal_output_value = _reference('causal_output_value')
fft_length_without_wrap = _reference('fft_length_without_wrap')
why_pointwise_step = _reference('why_pointwise_step')
fft_for_small_kernels = _reference('fft_for_small_kernels')

# 11_assignment_conv_layer: loops, as a learner writes them ------------------------------
conv2d_forward = _reference('conv2d_forward')
conv2d_input_gradient = _reference('conv2d_input_gradient')
conv2d_weight_gradient = _reference('conv2d_weight_gradient')
zero_gradient_pixels = _reference('zero_gradient_pixels')
why_central_differences = _reference('why_central_differences')


def shape_quiz(seed):
    """The answer to ``check.shape_quiz(seed)``, from the output-size formula by hand."""
    return EXERCISES["shape_quiz"].expected(seed)
