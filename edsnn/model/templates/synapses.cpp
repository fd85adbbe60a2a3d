{# A zero-delay pathway's synaptic code: each presynaptic event's synapses are read in place from
   the pathway's per-neuron lists, in the order Brian2's spike queue would have copied them.
   A source whose synapses are consecutive and reach consecutive targets (a "ramp": every source
   of an all-to-all connection made by `connect()`) is walked by counting, without reading its
   list or the targets' indices, so the compiler can vectorise the loop. #}
{% extends 'common_synapses.cpp' %}

{% block maincode %}
    // This is only needed for the _debugmsg function below
    {# USES_VARIABLES { _synaptic_pre, _synaptic_post } #}

    // scalar code
    const size_t _vectorisation_idx = -1;
    {{scalar_code|autoindent}}

    {% set _eventspace_variable = pathway.variables[pathway.eventspace_name] %}
    {% set _target = owner.variables['_synaptic_post' if pathway.prepost == 'pre' else '_synaptic_pre'] %}
    {% set _target_of_idx = get_array_name(_target) ~ '[_idx]' %}
    const int32_t* _events = {{get_array_name(_eventspace_variable, access_data=False)}};  // the global array
    const int32_t _num_events = _events[{{_eventspace_variable.size - 1}}];
    CSpikeQueue* _queue = {{pathway.name}}.queue[0];

    // First target of each source's ramp (-1: not a ramp); found once per set of synapses.
    static std::vector<int32_t> _ramp_target;
    static size_t _ramp_synapses = (size_t)-1;
    const size_t _num_all_synapses = {{get_array_name(_target, access_data=False)}}.size();
    if (_ramp_synapses != _num_all_synapses || _ramp_target.size() != _queue->synapses.size())
    {
        _ramp_target.assign(_queue->synapses.size(), -1);
        for(size_t _s=0; _s<_queue->synapses.size(); _s++)
        {
            const std::vector<int>& _synapses = _queue->synapses[_s];
            const size_t _n = _synapses.size();
            // The lists hold increasing indices, so first and last tell whether they are consecutive.
            if(_n == 0 || (size_t)(_synapses[_n - 1] - _synapses[0]) != _n - 1)
                continue;
            const int32_t _first = {{get_array_name(_target)}}[_synapses[0]];
            size_t _k = 1;
            while(_k < _n && {{get_array_name(_target)}}[_synapses[_k]] == _first + (int32_t)_k)
                _k++;
            if(_k == _n)
                _ramp_target[_s] = _first;
        }
        _ramp_synapses = _num_all_synapses;
    }

    for(int _event=0; _event<_num_events; _event++)
    {
        const int32_t _source = _events[_event];
        if(_source < _queue->source_start || _source >= _queue->source_end)
            continue;
        const std::vector<int>& _synapses = _queue->synapses[_source - _queue->source_start];
        const size_t _num_synapses = _synapses.size();
        const int32_t _ramp = _ramp_target[_source - _queue->source_start];
        if(_ramp >= 0)
        {
            const size_t _first_idx = _synapses[0];
            for(size_t _k=0; _k<_num_synapses; _k++)
            {
                const size_t _idx = _first_idx + _k;
                const size_t _vectorisation_idx = _idx;
                {{vector_code|join('\n')|replace(_target_of_idx, '(_ramp + (int32_t)_k)')|autoindent}}
            }
        }
        else
        {
            for(size_t _k=0; _k<_num_synapses; _k++)
            {
                const size_t _idx = _synapses[_k];
                const size_t _vectorisation_idx = _idx;
                {{vector_code|autoindent}}
            }
        }
    }
{% endblock %}

{% block extra_functions_cpp %}
void _debugmsg_{{codeobj_name}}()
{
    using namespace brian;
    std::cout << "Number of synapses: " << {{_dynamic__synaptic_pre}}.size() << endl;
}
{% endblock %}

{% block extra_functions_h %}
void _debugmsg_{{codeobj_name}}();
{% endblock %}

{% macro main_finalise() -%}
#ifdef DEBUG
_debugmsg_{{codeobj_name}}();
#endif
{% endmacro %}
