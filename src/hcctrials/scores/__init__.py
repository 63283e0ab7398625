"""hcctrials.scores"""
